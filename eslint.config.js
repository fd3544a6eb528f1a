// ESLint flat config: typescript-eslint's type-aware recommended rules over src, hack, test and bench.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["dist/", "node_modules/", "charts/", "manifests/", "crds/", ".helios/", "bench/results/", "examples/", "packages/*/dist/"] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_" }],
    },
  },
  // A folder's index.ts is its face: an import that leaves its folder (../) and enters another names
  // that folder's index.js; runtime/, controllers/ and cli/ are folders of folders, so there it is
  // runtime/<folder>/index.js (cli/kube/index.js, ...). A parent folder's own files (../operator-context.js) stay reachable.
  {
    files: ["src/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              regex: "^(\\.\\./)+(?!(?:(?:runtime|controllers|cli)/[^/]+|[^/]+)/index\\.js$)(?:[^./][^/]*/)+[^/]+$",
              message: "Import another folder through its index.ts (e.g. ../audit/index.js, ../../runtime/client/index.js), not its internals.",
            },
          ],
        },
      ],
    },
  },
  { files: ["eslint.config.js"], ...tseslint.configs.disableTypeChecked },
  // Plain JavaScript that any Node can start; tsc type-checks it (checkJs), Node's globals are its own.
  { files: ["bin/*.js"], ...tseslint.configs.disableTypeChecked, rules: { ...tseslint.configs.disableTypeChecked.rules, "no-undef": "off" } },
);
