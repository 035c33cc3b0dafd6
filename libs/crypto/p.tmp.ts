import { parsePublicKey, publicKeyToPem, parsePrivateKey } from "./src/index.js"
import { goldenKey } from "./test/golden.js"
import { Either } from "effect"
const pem = publicKeyToPem(Either.getOrThrow(parsePrivateKey(goldenKey("alice"))))
for (let r = 0; r < 3; r++) { const s = performance.now(); for (let i = 0; i < 1000; i++) parsePublicKey(pem); console.log(((performance.now() - s)).toFixed(3), "µs/op") }
