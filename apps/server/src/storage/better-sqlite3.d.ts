// The part of better-sqlite3's API the SQLite worker client's reader uses (the package ships no types).
declare module "better-sqlite3" {
  namespace Database {
    interface Statement {
      readonly reader: boolean
      readonly readonly: boolean
      all(...params: ReadonlyArray<unknown>): Array<unknown>
      raw(toggle: boolean): this
    }
  }
  interface Database {
    prepare(sql: string): Database.Statement
    pragma(source: string): unknown
    close(): void
  }
  const Database: new(filename: string, options?: { readonly?: boolean; timeout?: number }) => Database
  export default Database
}
