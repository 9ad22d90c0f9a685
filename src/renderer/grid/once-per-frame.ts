/**
 * `work`, run at most once per animation frame however often the returned function is called: a grid
 * reads its scroll position once per frame, however fast the wheel turns.
 */
export function oncePerFrame(work: () => void): () => void {
  let frame = 0;
  return () => {
    if (frame) return;
    frame = requestAnimationFrame(() => {
      frame = 0;
      work();
    });
  };
}
