// The browser's own WebSocket, for modules written for Node that import the `ws` package.
export default globalThis.WebSocket;
