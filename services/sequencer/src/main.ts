import { runService } from '@asp/service';
import { loadSequencerConfig } from './config.ts';
import { Sequencer } from './sequencer.ts';

// Exit codes: 0 after a clean drain, 1 after a fatal error (fail closed:
// restart to recover from the WAL), 2 for invalid configuration.
void runService('sequencer', loadSequencerConfig, (cfg, log) => new Sequencer(cfg, log));
