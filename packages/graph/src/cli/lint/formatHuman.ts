import { abbreviateCycle, abbreviateModules } from '../text/abbreviate.js';
import type { LintReport } from './LintReport.js';

/**
 * One line per finding: severity, code, the modules involved, the message and the fix; then a summary
 * line. Plain text, no colours, so it reads the same in a CI log. A long module list or cycle shows its
 * ends only (JSON and SARIF keep them whole).
 */
export function formatHuman(report: LintReport): string {
  const lines = report.findings.map(
    (finding) =>
      `${finding.severity === 'error' ? 'error' : 'warn '} ${finding.code}${finding.modules.length > 0 ? ` [${abbreviateModules(finding.modules)}]` : ''} ${abbreviateCycle(finding.message)} -- fix: ${finding.fix}`,
  );
  const checked = report.rules.filter((rule) => rule.skipped === undefined).length;
  const { errors, warnings, maxWarnings } = report.summary;
  const counts =
    errors + warnings === 0
      ? 'no findings'
      : `${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}`;
  lines.push(`${report.entry}: ${counts} (${checked} rules checked)`);
  const unplanned = report.rules.filter((rule) => rule.skipped?.startsWith('no plan'));
  if (unplanned.length > 0) {
    lines.push(
      `${unplanned.length} rule${unplanned.length === 1 ? '' : 's'} not checked: ${unplanned[0]?.skipped}; fix the errors above first`,
    );
  }
  if (maxWarnings !== null && warnings > maxWarnings) {
    lines.push(
      `${warnings} warning${warnings === 1 ? '' : 's'} exceed${warnings === 1 ? 's' : ''} --max-warnings ${maxWarnings}`,
    );
  }
  return `${lines.join('\n')}\n`;
}
