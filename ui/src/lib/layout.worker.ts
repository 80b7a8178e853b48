// Lays out a large map off the window's thread, so the window stays responsive while thousands
// of nodes find their place. Cytoscape runs headless here (no drawing); the positions go back to
// the map, which places its nodes there.
import cytoscape from "cytoscape";
import fcose from "cytoscape-fcose";
import { bounds, seeded, spreadPiles, unlinkedArea, type LayoutReply, type LayoutRequest } from "./layout";
import { KINDS } from "./types";

cytoscape.use(fcose);

self.onmessage = (e: MessageEvent<LayoutRequest>) => {
  const { run, edges } = e.data;
  const started = performance.now();
  // Only linked nodes take part in the forces; the unlinked get an area of their own, by kind.
  const linked = new Set<string>();
  for (const x of edges) {
    linked.add(x.source);
    linked.add(x.target);
  }
  const nodes = e.data.nodes.filter((n) => linked.has(n.id));
  const alone = e.data.nodes.filter((n) => !linked.has(n.id));
  const cy = cytoscape({
    headless: true,
    styleEnabled: true,
    style: [{ selector: "node", style: { width: "data(size)", height: "data(size)" } }],
    elements: [
      ...nodes.map((n) => ({ group: "nodes" as const, data: { id: n.id, size: n.size } })),
      ...edges.map((x, i) => ({ group: "edges" as const, data: { id: `e${i}`, source: x.source, target: x.target } })),
    ],
  });
  // fCoSE's draft quality (its spectral layout): seconds for thousands of nodes, not minutes.
  const options = { name: "fcose", quality: "draft", animate: false, randomize: true, packComponents: true, nodeRepulsion: () => 6000, idealEdgeLength: () => 60, nodeSeparation: 90 };
  // The same map comes out the same: the layout's random numbers come from a fixed seed.
  const random = Math.random;
  Math.random = seeded(nodes.length * 7919 + edges.length);
  try {
    cy.layout(options as cytoscape.LayoutOptions).run();
  } finally {
    Math.random = random;
  }
  const positions: Record<string, { x: number; y: number }> = {};
  cy.nodes().forEach((n) => {
    positions[n.id()] = n.position();
  });
  cy.destroy();
  spreadPiles(positions);
  Object.assign(positions, unlinkedArea(alone, bounds(positions), KINDS));
  const reply: LayoutReply = { run, positions, ms: Math.round(performance.now() - started) };
  self.postMessage(reply);
};
