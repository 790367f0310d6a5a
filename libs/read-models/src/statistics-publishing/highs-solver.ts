import highsModule, { type Highs } from 'highs';

/** The package's ESM entry exports the loader as its default; its types describe the CommonJS shape. */
const loadHighs = highsModule as unknown as (options?: object) => Promise<Highs>;

let loading: Promise<Highs> | undefined;

/** HiGHS (WebAssembly), compiled once per thread. */
export function highsSolver(): Promise<Highs> {
  return (loading ??= loadHighs());
}
