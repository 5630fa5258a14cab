import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/cli.js';

/**
 * Every SQL statement is parameterized (issue #7). This scans src/ for SQL built from values:
 * a template literal with `${…}` passed to prepare/exec/pragma, a template literal with `${…}`
 * whose text reads as SQL wherever it is, and SQL glued together with `+`. An interpolation is
 * let through when it is provably constant (literals, top-level `const`s of literals, their
 * `.length`, arithmetic on those, or a choice between such values); each other one must be on
 * the allowlist below, which says why it can only be a constant.
 */
const ALLOWED: readonly { file: string; interpolation: string; why: string }[] = [
  {
    file: 'src/db/sqlite/migrations.ts',
    interpolation: 'migration.version',
    why: 'a number from the MIGRATIONS table in the same file; PRAGMA takes no parameters',
  },
  {
    file: 'src/db/sqlite/database.ts',
    interpolation: 'current + 1',
    why: "a component's schema version, a loop counter bounded by its constant migration list; PRAGMA takes no parameters",
  },
  {
    file: 'src/db/sqlite/rebuild.ts',
    interpolation: 'table',
    why: "a table name from a migration's constant list (checks.ts, the simulator's upgrade); SQLite cannot bind identifiers",
  },
  {
    file: 'src/db/sqlite/rebuild.ts',
    interpolation: 'staging',
    why: '`${table}__rebuild`, from the same constant table name',
  },
  {
    file: 'src/db/sqlite/rebuild.ts',
    interpolation: 'rewritten.slice(header.length)',
    why: "the table's own CREATE TABLE text from sqlite_schema, with one constant predicate replaced by another",
  },
  {
    file: 'src/db/sqlite/schema/checks.ts',
    interpolation: "anyOf('status', OPEN_PAYOUT_STATUSES)",
    why: 'comparisons with the constant status list beside it',
  },
  {
    file: 'src/payouts/read-store.ts',
    interpolation: "openPayoutPredicate('p')",
    why: "the partial index's predicate: comparisons with a constant status list",
  },
  {
    file: 'src/ledger/ledger.ts',
    interpolation: "Array.from({ length: count }, () => '(?, ?, ?, ?, ?, ?, ?)').join(', ')",
    why: "`count` (1 to 64) tuples of '?' placeholders: a multi-row INSERT of entries whose values are all bound",
  },
  {
    file: 'src/db/sqlite/database.ts',
    interpolation: 'Math.max(0, Math.trunc(busyTimeoutMs))',
    why: 'a whole number by construction; PRAGMA takes no parameters',
  },
  {
    file: 'src/db/sqlite/database.ts',
    interpolation: 'Number(maxPageCount)',
    why: 'checked against /^[1-9][0-9]{0,9}$/ first; test-only; PRAGMA takes no parameters',
  },
  {
    file: 'src/psp/sim/store.ts',
    interpolation: 'Number(cap)',
    why: 'the PSP-state-only cap: checked against /^[1-9][0-9]{0,9}$/ first; test-only; PRAGMA takes no parameters',
  },
  {
    file: 'src/reconcile/store.ts',
    interpolation: "ROW_COLUMNS.join(', ')",
    why: 'the column names of the constant ROW_COLUMNS list beside it',
  },
  {
    file: 'src/reconcile/store.ts',
    interpolation: "Array.from({ length: rows }, () => tuple).join(', ')",
    why: "`rows` (1 to 100) copies of a tuple of '?' placeholders, one per column: a multi-row INSERT whose values are all bound",
  },
];

const SQL_WORDS =
  /\b(SELECT|INSERT INTO|UPDATE|DELETE FROM|CREATE|DROP|ALTER|PRAGMA|WHERE|VALUES|ORDER BY|GROUP BY|JOIN|LIMIT)\b/;
const SQL_CALLS = new Set(['prepare', 'exec', 'pragma']);

interface Finding {
  file: string;
  line: number;
  interpolation: string;
  how: string;
}

function sourceFiles(directory: string): string[] {
  return fs.readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(directory, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}

/** Template literals and `+` chains that build SQL from something other than literal text. */
function findBuiltSql(file: string, text: string): Finding[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true);
  const findings: Finding[] = [];
  const constants = new Map<string, ts.Expression>();
  for (const statement of source.statements) {
    if (
      !ts.isVariableStatement(statement) ||
      !(statement.declarationList.flags & ts.NodeFlags.Const)
    )
      continue;
    for (const declaration of statement.declarationList.declarations) {
      if (ts.isIdentifier(declaration.name) && declaration.initializer)
        constants.set(declaration.name.text, declaration.initializer);
    }
  }
  const isConstant = (node: ts.Expression, depth = 0): boolean => {
    if (depth > 10) return false;
    if (ts.isStringLiteralLike(node) || ts.isNumericLiteral(node)) return true;
    if (ts.isParenthesizedExpression(node) || ts.isAsExpression(node))
      return isConstant(node.expression, depth + 1);
    if (ts.isIdentifier(node)) {
      const value = constants.get(node.text);
      return value !== undefined && isConstant(value, depth + 1);
    }
    if (ts.isPropertyAccessExpression(node))
      return node.name.text === 'length' && isConstant(node.expression, depth + 1);
    if (ts.isBinaryExpression(node))
      return isConstant(node.left, depth + 1) && isConstant(node.right, depth + 1);
    // Whatever the condition, the value is one of the two branches.
    if (ts.isConditionalExpression(node))
      return isConstant(node.whenTrue, depth + 1) && isConstant(node.whenFalse, depth + 1);
    return false;
  };
  const lineOf = (node: ts.Node) =>
    source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;
  const literalText = (node: ts.TemplateExpression) =>
    [node.head.text, ...node.templateSpans.map((span) => span.literal.text)].join(' ');
  const isSqlCall = (node: ts.Node): boolean => {
    const call = node.parent;
    return (
      ts.isCallExpression(call) &&
      call.arguments[0] === node &&
      ts.isPropertyAccessExpression(call.expression) &&
      SQL_CALLS.has(call.expression.name.text)
    );
  };
  const visit = (node: ts.Node): void => {
    if (ts.isTemplateExpression(node) && (isSqlCall(node) || SQL_WORDS.test(literalText(node)))) {
      for (const span of node.templateSpans)
        if (!isConstant(span.expression))
          findings.push({
            file,
            line: lineOf(span.expression),
            interpolation: span.expression.getText(source),
            how: 'template literal',
          });
    }
    if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.PlusToken) {
      const sides = [node.left, node.right];
      if (sides.some((side) => ts.isStringLiteralLike(side) && SQL_WORDS.test(side.text))) {
        for (const side of sides)
          if (!isConstant(side))
            findings.push({
              file,
              line: lineOf(side),
              interpolation: side.getText(source),
              how: '"+" concatenation',
            });
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return findings;
}

describe('SQL is parameterized', () => {
  const files = sourceFiles(path.join(REPO_ROOT, 'src'));
  const findings = files.flatMap((file) =>
    findBuiltSql(
      path.relative(REPO_ROOT, file).split(path.sep).join('/'),
      fs.readFileSync(file, 'utf8'),
    ),
  );

  it('builds no SQL from values anywhere in src/, beyond the commented constants of the allowlist', () => {
    const unexplained = findings.filter(
      (finding) =>
        !ALLOWED.some(
          (allowed) =>
            allowed.file === finding.file && allowed.interpolation === finding.interpolation,
        ),
    );
    expect(
      unexplained.map(
        (finding) => `${finding.file}:${finding.line} ${finding.how}: \${${finding.interpolation}}`,
      ),
    ).toEqual([]);
  });

  it('keeps the allowlist short and true: every entry is still found in the code', () => {
    expect(ALLOWED.length).toBeLessThanOrEqual(13);
    for (const allowed of ALLOWED) {
      expect(
        findings.some(
          (finding) =>
            finding.file === allowed.file && finding.interpolation === allowed.interpolation,
        ),
        `${allowed.file}: ${allowed.interpolation}`,
      ).toBe(true);
    }
  });

  it('finds SQL built from values in the forms it looks for', () => {
    const found = findBuiltSql(
      'example.ts',
      [
        'db.prepare(`SELECT * FROM orders WHERE id = ${id}`);',
        "const sql = `DELETE FROM wallets WHERE seller_id = '${seller}'`;",
        'db.exec("UPDATE orders SET status = \'" + status + "\'");',
        'db.pragma(`user_version = ${n}`);',
        "db.prepare(`SELECT * FROM orders ${status ? 'WHERE status = ?' : where}`);",
        "db.prepare('SELECT * FROM orders WHERE id = ?').get(id);",
        'throw new Error(`order ${id} does not exist`);',
        "const PREFIX = 'payin.capture:';",
        "db.prepare(`SELECT substr(key, ${PREFIX.length + 1}) FROM t WHERE key = '${PREFIX}' || id`);",
      ].join('\n'),
    );
    expect(found.map((finding) => [finding.line, finding.interpolation])).toEqual([
      [1, 'id'],
      [2, 'seller'],
      [3, 'status'],
      [4, 'n'],
      [5, "status ? 'WHERE status = ?' : where"],
    ]);
  });
});
