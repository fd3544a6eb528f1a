// File-tree facts the build helpers of the tests and the bench share.
export { newestMtime } from "./newest-mtime.js";
