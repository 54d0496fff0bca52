// Finds the static imports of a source file, in every syntax TypeScript and Node accept: `import`
// (with or without bindings, `import type` too), `export … from`, `import x = require()` and a
// `require()` call. Dynamic `import()` is not static: it is how the registry loads a provider's
// chunk only when chosen, so it is reported apart.
import ts from 'typescript';

export interface ImportSite {
  specifier: string;
  kind: 'import' | 'export-from' | 'import-equals' | 'require' | 'dynamic-import';
  line: number;
}

export function importSites(fileName: string, text: string): ImportSite[] {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const sites: ImportSite[] = [];
  const add = (node: ts.Node, specifier: ts.Expression | undefined, kind: ImportSite['kind']) => {
    if (specifier && ts.isStringLiteralLike(specifier)) sites.push({ specifier: specifier.text, kind, line: source.getLineAndCharacterOfPosition(node.getStart()).line + 1 });
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node)) add(node, node.moduleSpecifier, 'import');
    else if (ts.isExportDeclaration(node)) add(node, node.moduleSpecifier, 'export-from');
    else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) add(node, node.moduleReference.expression, 'import-equals');
    else if (ts.isCallExpression(node)) {
      if (node.expression.kind === ts.SyntaxKind.ImportKeyword) add(node, node.arguments[0], 'dynamic-import');
      else if (ts.isIdentifier(node.expression) && node.expression.text === 'require') add(node, node.arguments[0], 'require');
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return sites;
}

/** The vendor SDKs the providers wrap; core must name none of them. */
export const VENDOR_PACKAGES = ['sip.js', 'jssip', '@telnyx/webrtc', 'sendbird-calls'];

/**
 * What a static import from a core file must not reach: a provider's glue (any path through a
 * `providers/` folder) or a vendor SDK (the package or any of its subpaths).
 */
export function forbiddenForCore(specifier: string): string | undefined {
  const vendor = VENDOR_PACKAGES.find((pkg) => specifier === pkg || specifier.startsWith(`${pkg}/`));
  if (vendor) return `vendor SDK ${vendor}`;
  if (/(^|\/)providers(\/|$)/.test(specifier)) return 'a provider';
  return undefined;
}

/** Every static import of `text` that core must not have, as "line N: kind 'specifier' → what". */
export function coreViolations(fileName: string, text: string): string[] {
  return importSites(fileName, text)
    .filter((site) => site.kind !== 'dynamic-import')
    .flatMap((site) => {
      const what = forbiddenForCore(site.specifier);
      return what ? [`${fileName}:${site.line}: ${site.kind} '${site.specifier}' → ${what}`] : [];
    });
}
