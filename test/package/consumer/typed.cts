// A TypeScript consumer compiled to CommonJS (import becomes require(), which Node 20.19+ allows for this ESM package):
// type-checked with tsc against the installed package's declarations, never run.
import { Session, type SessionOptions } from 'qaic';

const options: SessionOptions = { num_activations: 1 };
export async function classify(model: string, x: Float32Array): Promise<number[]> {
  const session = new Session(model, options);
  try {
    const outputs = await session.run({ x });
    return Array.from(Object.values(outputs)[0]!.data as Float32Array);
  } finally {
    await session.close();
  }
}
