import { GlimpseEngine } from '../../../src/main/engine/engine.js';

/** A fresh engine (on the CPU, not reading text) over `library`, added and indexed. The caller closes it. */
export async function openIndexed(dataDir: string, library: string): Promise<GlimpseEngine> {
  const engine = await GlimpseEngine.open({ dataDir, device: 'cpu', ocr: false });
  engine.addFolder(library);
  await engine.update();
  return engine;
}
