import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import dnsPacket, { type Answer } from 'dns-packet';

/** A DNS server on 127.0.0.1 (UDP, port 0) that answers every name with the same addresses. */
export interface LoopbackDnsServer {
  /** `127.0.0.1:port`, the authority of a `dns://` target. */
  readonly address: string;
  /** The names and record types asked for, in order. */
  readonly questions: readonly string[];
  close(): Promise<void>;
}

/**
 * Starts a DNS server answering A queries with `ipv4` and AAAA queries with `ipv6`; other types (the TXT query
 * grpc-js makes for a service config) get an empty answer. Packets are coded by dns-packet.
 */
export async function startLoopbackDnsServer({ ipv4 = [], ipv6 = [] }: { ipv4?: string[]; ipv6?: string[] }): Promise<LoopbackDnsServer> {
  const socket = createSocket('udp4');
  const questions: string[] = [];
  socket.on('message', (message, remote) => {
    const query = dnsPacket.decode(message);
    const answers: Answer[] = [];
    for (const question of query.questions ?? []) {
      questions.push(`${question.type} ${question.name}`);
      const addresses = question.type === 'A' ? ipv4 : question.type === 'AAAA' ? ipv6 : [];
      for (const data of addresses) answers.push({ type: question.type as 'A' | 'AAAA', name: question.name, ttl: 60, data });
    }
    const flags = dnsPacket.AUTHORITATIVE_ANSWER | dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE;
    const response = dnsPacket.encode({ type: 'response', id: query.id, flags, questions: query.questions, answers });
    socket.send(response, remote.port, remote.address);
  });
  socket.bind(0, '127.0.0.1');
  await once(socket, 'listening');
  return {
    address: `127.0.0.1:${socket.address().port}`,
    questions,
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}
