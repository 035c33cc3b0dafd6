import { describe, expect, it } from "@effect/vitest"
import {
  Action,
  AdminOp,
  ErrorCode,
  HookType,
  MAX_ARG_CONTENT,
  MAX_FRAME,
  Permission,
  USERNAME_REGEX,
  UsrsType,
  actionName,
  adminArgs,
  adminName,
  clientMinArgs,
  errorDescription,
  errorName,
  hookArgs,
  hookName,
  isAction,
  isValidUsername,
  normalizeUsername,
  permissionName,
  serverMinArgs,
  usrsName
} from "../src/index.js"

describe("constants", () => {
  it("names actions and flags unknown codes", () => {
    expect(Object.keys(Action)).toHaveLength(18)
    expect(actionName(Action.MSG)).toBe("MSG")
    expect(actionName(0x12)).toBe("HELLO")
    expect(actionName(0)).toBe("UNKNOWN(0x00)")
    expect(actionName(0x2a)).toBe("UNKNOWN(0x2a)")
    expect([0, 1, 0x12, 0x13].map(isAction)).toEqual([false, true, true, false])
  })

  it("names and describes every error code like the original", () => {
    expect(Object.keys(ErrorCode)).toHaveLength(23)
    expect(errorName(ErrorCode.NOTFOUND)).toBe("ERR_NOTFOUND")
    expect(errorName(0x16)).toBe("ERR_DISCN")
    expect(errorDescription(ErrorCode.NOTFOUND)).toBe("content can not be found")
    expect(errorDescription(ErrorCode.UNDEFINED)).toBe("undefined problem occured")
    expect(errorDescription(ErrorCode.CORRUPTED)).toBe("queried data is currupted")
    for (const code of Object.values(ErrorCode)) expect(errorDescription(code)).not.toContain("unknown")
    expect(errorName(0x40)).toBe("ERR_UNKNOWN(0x40)")
  })

  it("has the minimum argument counts of each direction", () => {
    expect([Action.REG, Action.LOGIN, Action.VERIF, Action.REQ, Action.MSG, Action.KEEP].map(serverMinArgs)).toEqual([
      2, 1, 2, 1, 3, 0
    ])
    expect(serverMinArgs(Action.HELLO)).toBe(-1)
    expect([Action.VERIF, Action.REQ, Action.USRS, Action.RECIV, Action.HELLO, Action.OK].map(clientMinArgs)).toEqual([
      1, 3, 1, 3, 1, 0
    ])
    expect(clientMinArgs(Action.MSG)).toBe(-1)
  })

  it("has the info enumerations with their argument counts", () => {
    expect(usrsName(UsrsType.ONLINEPERMS)).toBe("USRS_ONLINEPERMS")
    expect(adminName(AdminOp.CHGPERMS)).toBe("ADMIN_CHGPERMS")
    expect(Object.values(AdminOp).map(adminArgs)).toEqual([1, 1, 1, 2, 1, 1])
    expect(adminArgs(9)).toBe(-1)
    expect(hookName(HookType.DUPSESS)).toBe("HOOK_DUPSESS")
    expect(Object.values(HookType).map(hookArgs)).toEqual([0, 2, 1, 1, 2])
    expect(permissionName(Permission.OWNER)).toBe("OWNER")
    expect(MAX_ARG_CONTENT).toBe(2045)
    expect(MAX_FRAME).toBe(16393)
  })

  it("accepts 1 to 32 lowercase letters or digits as a username, never the empty one", () => {
    expect(["alice", "a", "0", "x".repeat(32)].map(isValidUsername)).toEqual([true, true, true, true])
    expect(["", "x".repeat(33), "Bad User", "ALICE", "al ice", "é"].map(isValidUsername)).toEqual([
      false,
      false,
      false,
      false,
      false,
      false
    ])
    expect(USERNAME_REGEX.test(normalizeUsername("ALICE"))).toBe(true)
  })
})
