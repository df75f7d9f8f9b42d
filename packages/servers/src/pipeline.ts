import { join } from 'node:path';
import { type FerretDbServer, startFerretDb } from './ferretdb.ts';
import { type NatsServer, startNatsServer } from './nats.ts';
import type { ServerProcess } from './process.ts';
import { type ServiceProcess, startService } from './service.ts';

export interface PipelineOptions {
  /** Everything goes below it: nats/, ferretdb/, sequencer-<partition>/, logs/. */
  dir: string;
  partition: string;
  mongoDb: string;
  /** Start the projector (and so need FerretDB for it). */
  projector: boolean;
  /** false: the processes outlive this one (`asp up`). */
  watchParent: boolean;
  /** Fixed ports; free ones when left out. */
  ports?: { nats?: number; natsMonitor?: number; mongo?: number; sequencer?: number; projector?: number };
  /** Extra environment for both services (LOG_LEVEL, limits). */
  serviceEnv?: Record<string, string>;
  /** Extra environment for one service, after serviceEnv (the bench's `--inspect` port of each). */
  envOf?: Partial<Record<'sequencer' | 'projector', Record<string, string>>>;
  /** FerretDB serves Go's profiles on this loopback port (the bench's `--profile`); none when left out. */
  mongoDebugPort?: number;
  /** nats-server serves Go's profiles on this loopback port (the bench's `--profile`); none when left out. */
  natsProfPort?: number;
  /** Called as each process becomes healthy, in start order. */
  onStarted?: (name: 'nats-server' | 'ferretdb' | 'sequencer' | 'projector', p: ServerProcess) => void;
}

export interface Pipeline {
  nats: NatsServer;
  mongo: FerretDbServer;
  sequencer: ServiceProcess;
  projector: ServiceProcess | undefined;
  /** Every process started, in start order. */
  processes: ServerProcess[];
}

/**
 * The whole local pipeline, one process at a time, each healthy before the
 * next starts: nats-server, FerretDB, the sequencer, the projector. The one
 * place that knows how the services are wired to the servers. A failure
 * stops what was started and rethrows.
 */
export async function startPipeline(o: PipelineOptions): Promise<Pipeline> {
  const processes: ServerProcess[] = [];
  const track = <P extends ServerProcess>(
    name: Parameters<NonNullable<PipelineOptions['onStarted']>>[0],
    p: P,
  ): P => {
    processes.push(p);
    o.onStarted?.(name, p);
    return p;
  };
  const { ports = {}, watchParent } = o;
  try {
    const nats = track(
      'nats-server',
      await startNatsServer({
        dataDir: join(o.dir, 'nats'),
        port: ports.nats,
        monitorPort: ports.natsMonitor,
        watchParent,
        ...(o.natsProfPort === undefined ? {} : { profPort: o.natsProfPort }),
      }),
    );
    const mongo = track(
      'ferretdb',
      await startFerretDb({
        dataDir: join(o.dir, 'ferretdb'),
        port: ports.mongo,
        watchParent,
        ...(o.mongoDebugPort === undefined ? {} : { debugPort: o.mongoDebugPort }),
      }),
    );
    const common = { ...o.serviceEnv, NATS_URL: nats.url, ASP_PARTITION: o.partition };
    const sequencer = track(
      'sequencer',
      await startService({
        name: 'sequencer',
        env: { ...common, ...o.envOf?.sequencer, ASP_DATA_DIR: join(o.dir, `sequencer-${o.partition}`) },
        logFile: join(o.dir, 'logs', 'sequencer.log'),
        httpPort: ports.sequencer,
        watchParent,
      }),
    );
    const projector = o.projector
      ? track(
          'projector',
          await startService({
            name: 'projector',
            env: { ...common, ...o.envOf?.projector, MONGO_URL: mongo.url, ASP_MONGO_DB: o.mongoDb },
            logFile: join(o.dir, 'logs', 'projector.log'),
            httpPort: ports.projector,
            watchParent,
          }),
        )
      : undefined;
    return { nats, mongo, sequencer, projector, processes };
  } catch (err) {
    for (const p of processes.reverse()) await p.stop();
    throw err;
  }
}
