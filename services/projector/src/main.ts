import { runService } from '@asp/service';
import { loadProjectorConfig } from './config.ts';
import { Projector } from './projector.ts';

// Exit codes: 0 after a clean drain (SIGTERM/SIGINT), 1 when it could not start, 2 for
// invalid configuration. Failures while running are retried (see Projector), never a
// reason to exit: nothing is acknowledged before it is written.
void runService('projector', loadProjectorConfig, (cfg, log) => new Projector(cfg, log));
