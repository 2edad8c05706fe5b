// Polls a job's status once a second and moves the progress bar until the job ends.
(function () {
  const bar = document.querySelector("[data-testid=job-progress]");
  if (!bar || bar.dataset.active !== "1") return;
  const status = document.querySelector("[data-testid=job-status]");
  const message = document.querySelector("[data-testid=job-message]");
  const error = document.querySelector("[data-testid=job-error]");
  const summary = document.querySelector("[data-testid=job-summary]");
  async function poll() {
    const response = await fetch(bar.dataset.statusUrl, { headers: { Accept: "application/json" } });
    if (!response.ok) return;
    const job = await response.json();
    bar.style.width = job.progress + "%";
    bar.textContent = job.progress + "%";
    status.textContent = job.status_display;
    message.textContent = job.message;
    if (job.active) {
      setTimeout(poll, 1000);
      return;
    }
    bar.classList.remove("progress-bar-striped", "progress-bar-animated");
    if (job.error) { error.textContent = job.error; error.classList.remove("d-none"); bar.classList.add("bg-danger"); }
    if (job.summary && Object.keys(job.summary).length) { summary.textContent = JSON.stringify(job.summary, null, 2); summary.classList.remove("d-none"); }
  }
  setTimeout(poll, 500);
})();
