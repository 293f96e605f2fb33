// The drawing pad: draw a digit with the mouse, a pen or a finger (pointer events). White ink
// on black, like MNIST; `ink()` gives the ink in [0, 1] per pixel for preprocess_drawing.

const LINE_WIDTH = 20;

export function createDrawingPad(canvas, { onStrokeEnd }) {
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  let active = null; // the pointer drawing the current stroke
  let last = null;
  let empty = true;

  function clear() {
    ctx.fillStyle = '#000';
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    empty = true;
  }

  // CSS pixels of the event -> canvas pixels (the canvas may be displayed at another size).
  function position(event) {
    const rect = canvas.getBoundingClientRect();
    return {
      x: ((event.clientX - rect.left) * canvas.width) / rect.width,
      y: ((event.clientY - rect.top) * canvas.height) / rect.height,
    };
  }

  function dot(p) {
    ctx.fillStyle = '#fff';
    ctx.beginPath();
    ctx.arc(p.x, p.y, LINE_WIDTH / 2, 0, 2 * Math.PI);
    ctx.fill();
  }

  function line(from, to) {
    ctx.strokeStyle = '#fff';
    ctx.lineWidth = LINE_WIDTH;
    ctx.lineCap = 'round';
    ctx.lineJoin = 'round';
    ctx.beginPath();
    ctx.moveTo(from.x, from.y);
    ctx.lineTo(to.x, to.y);
    ctx.stroke();
  }

  canvas.addEventListener('pointerdown', (event) => {
    if (active !== null || (event.pointerType === 'mouse' && event.button !== 0)) return;
    active = event.pointerId;
    canvas.setPointerCapture(event.pointerId);
    last = position(event);
    dot(last);
    empty = false;
    event.preventDefault();
  });

  canvas.addEventListener('pointermove', (event) => {
    if (event.pointerId !== active) return;
    // Coalesced events keep fast strokes smooth.
    const events = event.getCoalescedEvents ? event.getCoalescedEvents() : [];
    for (const e of events.length ? events : [event]) {
      const p = position(e);
      line(last, p);
      last = p;
    }
  });

  function end(event) {
    if (event.pointerId !== active) return;
    active = null;
    last = null;
    onStrokeEnd();
  }
  canvas.addEventListener('pointerup', end);
  canvas.addEventListener('pointercancel', end);

  clear();
  return {
    clear,
    isEmpty: () => empty,
    // The red channel of white-on-black ink, in [0, 1] (1 = ink).
    ink() {
      const { data } = ctx.getImageData(0, 0, canvas.width, canvas.height);
      const gray = new Float32Array(canvas.width * canvas.height);
      for (let i = 0; i < gray.length; i++) gray[i] = data[4 * i] / 255;
      return { gray, width: canvas.width, height: canvas.height };
    },
  };
}
