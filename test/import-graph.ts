import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';

/**
 * The import graph of src/, read the way the compiler reads it (TypeScript's own parser, so strings and comments
 * that look like imports are not imports): for every .ts file, each static `import` (values and `import type`),
 * `export ... from` re-export, `import x = require(...)`, and dynamic `import()` whose argument is a string literal,
 * with the line it stands on. Dynamic imports with a computed path are listed apart, since no rule can check them.
 */

export interface ImportEdge {
  /** Repository-relative path of the importing file, with forward slashes. */
  readonly from: string;
  /** 1-based line of the import. */
  readonly line: number;
  /** The specifier as written. */
  readonly specifier: string;
  /** Repository-relative path it resolves to (relative specifiers only), else null (a package or node: module). */
  readonly to: string | null;
  readonly kind: 'import' | 'import type' | 're-export' | 'require' | 'dynamic import';
}

export interface ImportGraph {
  readonly files: readonly string[];
  readonly edges: readonly ImportEdge[];
  /** `file:line` of each dynamic import whose path is not a string literal. */
  readonly computedDynamicImports: readonly string[];
}

const posix = (p: string) => p.split(sep).join('/');

function listTs(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return e.name === 'node_modules' ? [] : listTs(path);
    return e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [path] : [];
  });
}

/** Every .ts file under `root/dir` and its imports. */
export function readImportGraph(root: string, dir: string): ImportGraph {
  const files = listTs(join(root, dir)).sort();
  const edges: ImportEdge[] = [];
  const computed: string[] = [];
  for (const file of files) {
    const from = posix(relative(root, file));
    const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
    const lineOf = (node: ts.Node) => source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;
    const add = (node: ts.Node, specifier: string, kind: ImportEdge['kind']) => {
      const to = specifier.startsWith('.') ? posix(relative(root, resolve(dirname(file), specifier))) : null;
      edges.push({ from, line: lineOf(node), specifier, to, kind });
    };
    const visit = (node: ts.Node): void => {
      if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
        add(node, node.moduleSpecifier.text, node.importClause?.isTypeOnly ? 'import type' : 'import');
      } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
        add(node, node.moduleSpecifier.text, 're-export');
      } else if (
        ts.isImportEqualsDeclaration(node) &&
        ts.isExternalModuleReference(node.moduleReference) &&
        ts.isStringLiteral(node.moduleReference.expression)
      ) {
        add(node, node.moduleReference.expression.text, 'require');
      } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
        const [arg] = node.arguments;
        if (arg && ts.isStringLiteralLike(arg)) add(node, arg.text, 'dynamic import');
        else computed.push(`${from}:${lineOf(node)}`);
      } else if (ts.isImportTypeNode(node)) {
        // `typeof import('../x.ts')` / `import('../x.ts').T` in a type position
        const arg = node.argument;
        if (ts.isLiteralTypeNode(arg) && ts.isStringLiteral(arg.literal)) add(node, arg.literal.text, 'import type');
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return { files: files.map((f) => posix(relative(root, f))), edges, computedDynamicImports: computed };
}
