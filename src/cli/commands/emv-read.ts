import { randomBytes } from 'node:crypto';
import { readCard } from '../../emv/read-card.js';
import type { CliContext } from '../context.js';
import { EXIT } from '../exit-codes.js';
import { pickReader } from './apdu.js';

/** `posbridge emv read`: the card's applications and the selected one's data, PAN masked, with ODA checked. */
export async function emvReadCommand(ctx: CliContext, opts: { reader?: string; json?: boolean; contactless?: boolean; apdus?: boolean; testKeys?: boolean }): Promise<number> {
  const config = await ctx.terminalConfig(opts.testKeys ?? false);
  const driver = await ctx.createReaderDriver();
  try {
    const reader = await pickReader(driver, opts.reader);
    const conn = await driver.connect(reader);
    try {
      const report = await conn.transaction((channel) => readCard(channel, config, new Date(), (n) => new Uint8Array(randomBytes(n)), opts.contactless ?? false));
      const { apduLog, ...card } = report;
      if (opts.json) {
        ctx.out(JSON.stringify(opts.apdus ? report : card));
        return EXIT.OK;
      }
      ctx.out(`Reader: ${reader}`);
      ctx.out('Applications:');
      for (const a of card.applications) ctx.out(`  ${a.aid}  ${a.label ?? ''}${a.priority ? `  (priority ${a.priority})` : ''}`);
      const s = card.selected;
      ctx.out(`Selected: ${s.aid} ${s.label ?? ''}`);
      ctx.out(`  PAN ${s.pan}  expires ${s.expiry ?? '?'}  PSN ${s.panSequenceNumber ?? '-'}`);
      ctx.out(`  AIP: ${Object.entries(s.aip).filter(([, v]) => v).map(([k]) => k).join(', ') || 'none'}`);
      if (s.auc) ctx.out(`  usage: ${Object.entries(s.auc).filter(([, v]) => v).map(([k]) => k).join(', ')}`);
      ctx.out('  CVM list:');
      for (const r of s.cvmList) ctx.out(`    ${r.method} — ${r.condition}${r.continueOnFailure ? ' (else next)' : ''}`);
      ctx.out(`  ODA: ${s.oda} — ${s.odaResult}`);
      ctx.out(`  PIN tries left: ${s.pinTriesLeft ?? 'unknown'}`);
      if (opts.apdus) for (const e of apduLog) ctx.out(`  [${e.step}] > ${e.command}  < ${e.response} ${e.sw}`);
      return EXIT.OK;
    } finally {
      await conn.disconnect();
    }
  } finally {
    await driver.close();
  }
}
