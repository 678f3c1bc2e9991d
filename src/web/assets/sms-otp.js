// Progressive enhancement for the SMS OTP pages (they work without it): a resend countdown, and one submit per form
// so that a phone's code autofill plus a tap does not post twice. Loaded as a file: the CSP forbids inline scripts.
(() => {
  const resend = document.querySelector('form[data-resend-in]');
  const button = resend?.querySelector('button');
  const timer = document.getElementById('resend-timer');
  if (resend && button && timer) {
    const readyAt = Date.now() + Number(resend.dataset.resendIn || 0) * 1000;
    // the texts come from the page (the message catalogue), so the countdown says what the page says
    const waitText = timer.dataset.waitText || 'You can ask for a new code in {seconds} seconds.';
    const readyText = timer.dataset.readyText || 'Did not get the code?';
    // the countdown below says what a "wait" notice says: one of them is enough
    if (timer.hasAttribute('data-replaces-notice')) document.getElementById('notice')?.remove();
    const tick = () => {
      const left = Math.ceil((readyAt - Date.now()) / 1000);
      if (left <= 0) {
        button.disabled = false;
        timer.textContent = readyText;
        return;
      }
      button.disabled = true;
      timer.textContent = waitText.replace('{seconds}', String(left));
      setTimeout(tick, 1000);
    };
    tick();
  }
  // the delivery receipt: asks every few seconds whether the provider reported this code undelivered, and then shows
  // what a reload would show (the box is on the page, hidden); stops at a final status or after ten minutes
  const delivery = document.getElementById('delivery-failed');
  if (delivery?.hidden && delivery.dataset.poll && document.getElementById('sms-otp-verify')) {
    const until = Date.now() + 600_000;
    const poll = async () => {
      try {
        const answer = await fetch(delivery.dataset.poll, {
          headers: { accept: 'application/json' },
          credentials: 'same-origin',
        });
        if (answer.ok) {
          const { status, deliveryFailed } = await answer.json();
          if (deliveryFailed) {
            delivery.hidden = false;
            delivery.dataset.messageId = 'sms-otp.delivery-failed';
            return;
          }
          if (status === 'delivered') return;
        } else if (answer.status === 404) return;
      } catch {
        // offline for a moment: the next poll asks again
      }
      if (Date.now() < until) setTimeout(poll, Number(delivery.dataset.every || 4000));
    };
    setTimeout(poll, Number(delivery.dataset.every || 4000));
  }
  for (const form of document.querySelectorAll('form[data-once]')) {
    form.addEventListener('submit', (event) => {
      if (form.dataset.sent) {
        event.preventDefault();
        return;
      }
      form.dataset.sent = '1';
      // disabled after the event, so the browser still sends the button it was submitted with
      setTimeout(() => {
        for (const b of form.querySelectorAll('button')) b.disabled = true;
      }, 0);
    });
  }
})();
