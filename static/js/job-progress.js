// Polls a running job's status once a second and moves the progress bar; when the job ends the page
// reloads, so the result (summary, error, end time) is rendered by the server in one place.
(function () {
  const bar = document.querySelector("[data-testid=job-progress]");
  if (!bar || bar.dataset.active !== "1") return;
  const track = bar.parentElement;
  const status = document.querySelector("[data-testid=job-status]");
  const message = document.querySelector("[data-testid=job-message]");

  async function poll() {
    let job;
    try {
      const response = await fetch(bar.dataset.statusUrl, { headers: { Accept: "application/json" } });
      if (response.status === 404 || response.redirected) return;  // gone, or the session ended
      if (!response.ok) throw new Error(response.statusText);
      job = await response.json();
    } catch (failure) {
      setTimeout(poll, 5000);  // a network hiccup or a restarting server: keep watching, more slowly
      return;
    }
    if (!job.active) {
      window.location.reload();
      return;
    }
    bar.style.width = job.progress + "%";
    bar.textContent = job.progress + "%";
    track.setAttribute("aria-valuenow", job.progress);
    status.textContent = job.status_display;
    message.textContent = job.message;
    setTimeout(poll, 1000);
  }
  setTimeout(poll, 500);
})();
