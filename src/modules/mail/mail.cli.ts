import { parseArgs } from 'node:util';
import { CliError, type CliCommandSet } from '../../lib/cli';
import { drainOutbox } from './sender';
import { createMailTransport } from './transport';

/** `kursvakt mail send`: drains the outbox once. */
export const mailCommands: CliCommandSet = {
  commands: {
    async mail(args, { database, io, config, now }) {
      const [sub, ...rest] = args;
      if (sub !== 'send') throw new CliError('Bruk: kursvakt mail send');
      parseArgs({ args: rest, options: {}, strict: true });
      const transport = createMailTransport(config);
      try {
        const result = await drainOutbox(database.db, transport, {
          from: config.mailFrom,
          ratePerSecond: config.mailRatePerSecond,
          now,
        });
        io.out(
          `E-post via ${transport.description}: ${result.sent} sendt, ${result.retried} prøves igjen senere, ${result.failed} feilet.`,
        );
      } finally {
        await transport.close();
      }
    },
  },
  help: ['  mail send                         send e-post som venter i utboksen (én gang)'],
};
