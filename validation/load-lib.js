// Loads the library's checks: the TypeScript sources in this repository, the compiled build in
// an installed package (which ships no sources).
'use strict';
const fs = require('node:fs');
const path = require('node:path');

module.exports = function loadLib() {
  const sources = path.join(__dirname, '..', 'lib', 'index.ts');
  if (fs.existsSync(sources)) {
    require(path.join(__dirname, '..', 'scripts', 'register.js'));
    return require(path.join(__dirname, '..', 'lib'));
  }
  return require(path.join(__dirname, '..', 'build', 'lib', 'index.js'));
};
