// The root globalSetup provides the private MariaDB's address (see test-support/globalSetup.ts).
import type { MariadbInfo } from "../../../../test-support/mariadb.js"

declare module "vitest" {
  export interface ProvidedContext {
    mariadb: MariadbInfo
  }
}
