// Stands in for react-devtools-core in the client bundle (scripts/build.mjs): Ink imports it only when
// DEV=true, to connect to React DevTools, which gochat does not install.
export default { initialize() {}, connectToDevTools() {} }
