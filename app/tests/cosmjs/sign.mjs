// Signs one Cosmos transaction offline with cosmjs (no network) and prints
// its TxRaw bytes in base64, for app/tests/cosmjs.rs.
//
// node sign.mjs send PRIVKEY_HEX CHAIN_ID ACCOUNT_NUMBER SEQUENCE TO DENOM AMOUNT
// node sign.mjs upgrade PRIVKEY_HEX CHAIN_ID ACCOUNT_NUMBER SEQUENCE NAME HEIGHT
import { DirectSecp256k1Wallet, Registry, encodePubkey, makeAuthInfoBytes, makeSignDoc } from "@cosmjs/proto-signing";
import { defaultRegistryTypes } from "@cosmjs/stargate";
import { encodeSecp256k1Pubkey } from "@cosmjs/amino";
import { fromBase64, fromHex, toBase64 } from "@cosmjs/encoding";
import { TxRaw } from "cosmjs-types/cosmos/tx/v1beta1/tx.js";
import { MsgSoftwareUpgrade } from "cosmjs-types/cosmos/upgrade/v1beta1/tx.js";

const [kind, keyHex, chainId, accountNumber, sequence, ...rest] = process.argv.slice(2);
const wallet = await DirectSecp256k1Wallet.fromKey(fromHex(keyHex), "cosmos");
const [account] = await wallet.getAccounts();
const registry = new Registry(defaultRegistryTypes);
registry.register("/cosmos.upgrade.v1beta1.MsgSoftwareUpgrade", MsgSoftwareUpgrade);

let msg;
if (kind === "send") {
  const [to, denom, amount] = rest;
  msg = { typeUrl: "/cosmos.bank.v1beta1.MsgSend",
          value: { fromAddress: account.address, toAddress: to, amount: [{ denom, amount }] } };
} else if (kind === "upgrade") {
  const [name, height] = rest;
  msg = { typeUrl: "/cosmos.upgrade.v1beta1.MsgSoftwareUpgrade",
          value: { authority: account.address, plan: { name, height: BigInt(height), info: "cosmjs" } } };
} else {
  throw new Error(`unknown kind ${kind}`);
}
const bodyBytes = registry.encode({ typeUrl: "/cosmos.tx.v1beta1.TxBody", value: { messages: [msg], memo: "" } });
const pubkey = encodePubkey(encodeSecp256k1Pubkey(account.pubkey));
const authInfoBytes = makeAuthInfoBytes([{ pubkey, sequence: BigInt(sequence) }], [], 200000, undefined, undefined);
const signDoc = makeSignDoc(bodyBytes, authInfoBytes, chainId, BigInt(accountNumber));
const { signature } = await wallet.signDirect(account.address, signDoc);
const raw = TxRaw.fromPartial({ bodyBytes, authInfoBytes, signatures: [fromBase64(signature.signature)] });
console.log(toBase64(TxRaw.encode(raw).finish()));
