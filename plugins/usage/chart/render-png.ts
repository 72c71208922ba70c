import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { HttpError } from "core4ts/server";

/** The font the PNG charts are drawn with (Debian's fonts-dejavu-core; `.ci/run` installs it). */
export const PNG_FONT_FILE = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";

// The rasteriser is a native module: load it on the first PNG, not in every process that imports the plugin.
const requireLazily = createRequire(import.meta.url);
type ResvgModule = typeof import("@resvg/resvg-js");
let resvg: ResvgModule | undefined;

/**
 * Rasterises a chart SVG to PNG with resvg and the DejaVu Sans font file, loaded explicitly (no system font
 * scan, so the picture is the same on every machine). The size is the SVG's `width`/`height` (its viewBox
 * when none is set). Fails with a 503 naming the missing font and the package that provides it.
 */
export function svgToPng(svg: string, fontFile: string = PNG_FONT_FILE): Buffer {
  if (!existsSync(fontFile)) {
    throw new HttpError(
      503,
      `format=png needs the font file ${fontFile}: install it (apt-get install fonts-dejavu-core)`,
    );
  }
  resvg ??= requireLazily("@resvg/resvg-js") as ResvgModule;
  const renderer = new resvg.Resvg(svg, {
    font: { fontFiles: [fontFile], loadSystemFonts: false, defaultFontFamily: "DejaVu Sans" },
    background: "#ffffff",
  });
  return renderer.render().asPng();
}
