import { describe, expect, it } from 'vitest';
import { Heartbeat } from '../../../shard-host/gateway/heartbeat.ts';
import { FakeClock } from './fakes.ts';

function setup(random = 0.25) {
  const clock = new FakeClock();
  const beats: number[] = [];
  let zombies = 0;
  const hb = new Heartbeat({
    clock,
    random: () => random,
    beat: () => beats.push(clock.now()),
    onZombie: () => zombies++,
  });
  return { clock, beats, hb, zombies: () => zombies };
}

describe('heartbeat', () => {
  it('first beat at interval × jitter, then every interval', async () => {
    const { clock, beats, hb } = setup(0.25);
    hb.start(40_000);
    await clock.advance(9_999);
    expect(beats).toEqual([]);
    await clock.advance(1);
    expect(beats).toEqual([10_000]);
    hb.ackReceived();
    await clock.advance(40_000);
    hb.ackReceived();
    await clock.advance(40_000);
    expect(beats).toEqual([10_000, 50_000, 90_000]);
  });

  it('detects a zombie when no ACK arrived since the last beat, and stops', async () => {
    const { clock, beats, hb, zombies } = setup(0);
    hb.start(1_000);
    await clock.advance(0);
    expect(beats).toEqual([0]);
    await clock.advance(1_000);
    expect(zombies()).toBe(1);
    expect(beats).toEqual([0]); // no beat sent on a zombied connection
    expect(hb.running).toBe(false);
    await clock.advance(10_000);
    expect(zombies()).toBe(1);
  });

  it('measures latency from beat to ACK', async () => {
    const { clock, hb } = setup(0);
    expect(hb.latencyMs).toBeNull();
    hb.start(1_000);
    await clock.advance(0);
    await clock.advance(42);
    hb.ackReceived();
    expect(hb.latencyMs).toBe(42);
  });

  it('beatNow sends at once and keeps the schedule; an ACK for it keeps the connection alive', async () => {
    const { clock, beats, hb, zombies } = setup(0.5);
    hb.start(1_000);
    await clock.advance(100);
    hb.beatNow();
    hb.ackReceived();
    await clock.advance(400);
    expect(beats).toEqual([100, 500]);
    expect(zombies()).toBe(0);
  });

  it('stop cancels the timer', async () => {
    const { clock, beats, hb } = setup(0);
    hb.start(1_000);
    hb.stop();
    await clock.advance(5_000);
    expect(beats).toEqual([]);
    expect(clock.pending()).toBe(0);
  });

  it('any inbound payload proves the connection alive, but only op 11 gives a latency sample', async () => {
    const { clock, beats, hb, zombies } = setup(0);
    hb.start(1_000);
    await clock.advance(0);
    await clock.advance(500);
    hb.trafficReceived();
    await clock.advance(500);
    expect(zombies()).toBe(0);
    expect(beats).toEqual([0, 1_000]);
    expect(hb.latencyMs).toBeNull();
  });

  it('while reading is paused: keeps beating, never calls zombie; after resuming, a real zombie is caught within two intervals', async () => {
    const { clock, beats, hb, zombies } = setup(0);
    hb.start(1_000);
    await clock.advance(0);
    hb.setReadingPaused(true);
    await clock.advance(10_000); // no ACK can be read while paused
    expect(zombies()).toBe(0);
    expect(beats).toHaveLength(11);
    hb.setReadingPaused(false);
    await clock.advance(1_000); // grace: the wait for proof of life starts over
    expect(zombies()).toBe(0);
    await clock.advance(1_000); // still nothing read → zombie
    expect(zombies()).toBe(1);
  });
});
