'use strict';

// Runtime configuration for the web front end.
const path = require('path');

module.exports = {
  port: Number(process.env.PORT || 3000),
  staticDir: path.join(__dirname, 'public'),
@@ENTRIES@@
  retries: 3,
};
