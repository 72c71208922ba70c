import { createRequire } from "node:module";

// jsdom takes about a second to load: load it on the first chart, not in every process that imports the
// plugin (the CLI's job commands, workers).
const requireLazily = createRequire(import.meta.url);

/** The SVG namespace. */
export const SVG_NS = "http://www.w3.org/2000/svg";
const XMLNS_NS = "http://www.w3.org/2000/xmlns/";

/**
 * Creates detached SVG elements in one jsdom window shared by the whole process, and serialises them as
 * standalone XML. A new JSDOM costs ~20 ms and many created in a burst pile up in memory; detached nodes of a
 * shared window are garbage once a request drops them.
 */
export class SvgFactory {
  private static instance: SvgFactory | undefined;
  private readonly document: Document;
  private readonly serializer: XMLSerializer;

  private constructor() {
    const { JSDOM } = requireLazily("jsdom") as typeof import("jsdom");
    const { window } = new JSDOM("<!DOCTYPE html><html><body></body></html>");
    this.document = window.document;
    this.serializer = new window.XMLSerializer();
  }

  /** The process-wide factory, created on first use. */
  static shared(): SvgFactory {
    SvgFactory.instance ??= new SvgFactory();
    return SvgFactory.instance;
  }

  /** A new detached `<svg>` root with its namespace declared, so the serialised document stands alone. */
  createRoot(): SVGSVGElement {
    const svg = this.document.createElementNS(SVG_NS, "svg") as SVGSVGElement;
    svg.setAttributeNS(XMLNS_NS, "xmlns", SVG_NS);
    return svg;
  }

  /**
   * Serialises as XML: text and attributes are escaped by the serialiser, and characters such as U+00A0
   * stay literal instead of becoming HTML entities (`&nbsp;` is not defined in a standalone SVG).
   */
  serialize(node: Element): string {
    return this.serializer.serializeToString(node);
  }
}
