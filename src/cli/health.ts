import type { Command } from 'commander';
import { UsageError } from '../errors.js';
import { action } from './command.js';

export function register(program: Command): void {
  program
    .command('health')
    .description('(not implemented yet)')
    .allowUnknownOption()
    .action(
      action(() => {
        throw new UsageError('NOT_IMPLEMENTED', 'gemcaen health is not implemented yet');
      }),
    );
}
