// Builds the graph editor island into static/agents/editor/ with stable file names, so the Django
// template links editor.js / editor.css directly and the committed build can be compared byte for byte.
import { resolve } from "node:path";
import { defineConfig } from "vite";

export default defineConfig({
  base: "./",
  logLevel: "warn",
  esbuild: { jsx: "automatic", legalComments: "none" },
  define: { "process.env.NODE_ENV": JSON.stringify("production") },
  // The live overlay imports the conversation page's modules from static/conversations/ (one copy
  // of the projection); the build bundles them, and the dev server may serve them.
  server: { fs: { allow: [import.meta.dirname, resolve(import.meta.dirname, "../static/conversations")] } },
  build: {
    outDir: resolve(import.meta.dirname, "../static/agents/editor"),
    emptyOutDir: true,
    target: "es2020",
    sourcemap: false,
    reportCompressedSize: false,
    lib: false,
    rollupOptions: {
      input: resolve(import.meta.dirname, "src/main.jsx"),
      onwarn(warning, warn) {
        if (warning.code === "MODULE_LEVEL_DIRECTIVE") return; // React Flow's "use client"
        warn(warning);
      },
      output: {
        format: "es",
        entryFileNames: "editor.js",
        chunkFileNames: "editor-[name].js",
        assetFileNames: "editor[extname]",
        inlineDynamicImports: true,
      },
    },
  },
});
