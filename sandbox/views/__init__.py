"""HTTP views of the sandbox, one module per API: agents, conversations, files."""
