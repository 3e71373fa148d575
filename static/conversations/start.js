// The start form's example prompts: one fills the message box; nothing is sent until
// "Start conversation".
for (const button of document.querySelectorAll(".use-example")) {
  button.addEventListener("click", () => {
    const box = document.getElementById("id_message");
    box.value = button.dataset.prompt;
    box.focus();
    box.scrollIntoView({ block: "center" });
  });
}
