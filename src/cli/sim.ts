import type { Command } from 'commander';
import { UsageError } from '../errors.js';
import { action } from './command.js';

export function register(program: Command): void {
  program
    .command('sim')
    .description('(not implemented yet)')
    .allowUnknownOption()
    .action(
      action(() => {
        throw new UsageError('NOT_IMPLEMENTED', 'gemcaen sim is not implemented yet');
      }),
    );
}
