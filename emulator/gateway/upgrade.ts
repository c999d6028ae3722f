// Accepts gateway WebSockets on the HTTP server: /gateway to connect and /resume (the resume_gateway_url).
// Query parameters follow Discord docs, Topics > Gateway > Connecting (v, encoding, compress).
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { GatewayCloseCodes } from 'discord-api-types/v10';
import { WebSocketServer } from 'ws';
import { Connection } from './connection.ts';
import type { GatewayHub } from './hub.ts';

const PATHS = new Set(['/gateway', '/gateway/', '/resume', '/resume/']);

export interface GatewayServer {
  connections: Set<Connection>;
  close(): void;
}

export function attachGateway(server: Server, hub: GatewayHub): GatewayServer {
  // perMessageDeflate off: Discord compresses at the payload level (zlib-stream), not per WebSocket message.
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, maxPayload: 1024 * 1024 });
  const connections = new Set<Connection>();

  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    const url = new URL(req.url ?? '/', 'http://emulator');
    if (url.pathname.startsWith('/qq/')) return; // QQ's gateway (emulator/qq/gateway.ts) answers those
    if (!PATHS.has(url.pathname)) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      hub.counters.connectionsOpened++;
      const compress = url.searchParams.get('compress') === 'zlib-stream';
      const conn = new Connection(ws, compress, hub);
      connections.add(conn);
      ws.once('close', () => connections.delete(conn));
      if (url.searchParams.get('v') !== '10') return conn.close(GatewayCloseCodes.InvalidAPIVersion);
      const encoding = url.searchParams.get('encoding');
      if (encoding !== null && encoding !== 'json')
        return conn.close(GatewayCloseCodes.DecodeError, 'Only encoding=json is supported.');
      conn.start();
    });
  };
  server.on('upgrade', onUpgrade);

  return {
    connections,
    close() {
      server.off('upgrade', onUpgrade);
      for (const conn of connections) conn.ws.terminate();
      wss.close();
    },
  };
}
