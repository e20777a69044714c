// ESLint for the TypeScript (npm run lint): typescript-eslint's recommended rules with type
// information off (fast, and tsc already type-checks); formatting is prettier's, not ESLint's.
import eslint from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  {
    ignores: [
      "node_modules/",
      "artifacts/",
      "cache/",
      "typechain-types/",
      "coverage/",
      "out/",
      ".mutation/",
      ".sumo/",
      "scratch/",
    ],
  },
  eslint.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ["**/*.ts"],
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      // Chai's property assertions (`expect(x).to.be.true`) are expressions.
      "@typescript-eslint/no-unused-expressions": ["error", { allowShortCircuit: true, allowTernary: true }],
    },
  },
  {
    files: ["**/*.js", "**/*.cjs"],
    languageOptions: {
      sourceType: "commonjs",
      globals: {
        require: "readonly",
        module: "writable",
        process: "readonly",
        console: "readonly",
        __dirname: "readonly",
        Buffer: "readonly",
      },
    },
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
  {
    // No line of the sources, tasks or scripts runs past 120 characters (prettier's width, which
    // leaves long strings alone); the tests are exempt.
    files: ["src/**/*.{ts,js}", "tasks/**/*.{ts,js}", "scripts/**/*.{ts,js}"],
    rules: { "max-len": ["error", { code: 120, ignoreUrls: true, ignoreRegExpLiterals: true }] },
  },
);
