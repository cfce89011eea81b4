import type { Command } from 'commander';
import { UsageError } from '../errors.js';
import { action } from './command.js';

export function register(program: Command): void {
  program
    .command('validate')
    .description('(not implemented yet)')
    .allowUnknownOption()
    .action(
      action(() => {
        throw new UsageError('NOT_IMPLEMENTED', 'gemcaen validate is not implemented yet');
      }),
    );
}
