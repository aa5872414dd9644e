// Asks for an access key when the server checks signatures (it answered a
// signature fault). The key stays in this browser session only.
import { useEffect, useState } from "react";
import { saveKey, savedKey } from "../sigv4";

export function KeyDialog() {
  const [fault, setFault] = useState<string | null>(null);
  const [accessKeyId, setId] = useState(savedKey()?.accessKeyId ?? "");
  const [secretAccessKey, setSecret] = useState("");
  const [region, setRegion] = useState(savedKey()?.region ?? "us-east-1");
  useEffect(() => {
    const onNeed = (e: Event) => setFault(String((e as CustomEvent).detail));
    window.addEventListener("weft:need-key", onNeed);
    return () => window.removeEventListener("weft:need-key", onNeed);
  }, []);
  if (!fault) return null;
  return (
    <div className="key-dialog" role="dialog" aria-label="Access key">
      <form onSubmit={(e) => {
        e.preventDefault();
        saveKey({ accessKeyId, secretAccessKey, region });
        window.location.reload();
      }}>
        <h2>This server checks signatures</h2>
        <p className="muted">It answered {fault}. Give an access key (from <code>weft keys new</code>);
          it is kept for this browser session only and never sent, only used to sign.</p>
        <label>Access key id <input aria-label="Access key id" value={accessKeyId} onChange={(e) => setId(e.target.value)} autoFocus /></label>
        <label>Secret access key <input aria-label="Secret access key" type="password" value={secretAccessKey}
          onChange={(e) => setSecret(e.target.value)} /></label>
        <label>Region <input aria-label="Region" value={region} onChange={(e) => setRegion(e.target.value)} /></label>
        <div className="actions">
          <button type="submit" disabled={!accessKeyId || !secretAccessKey}>Use this key</button>
          <button type="button" onClick={() => setFault(null)}>Cancel</button>
          {savedKey() && <button type="button" onClick={() => { saveKey(null); window.location.reload(); }}>Forget the key</button>}
        </div>
      </form>
    </div>
  );
}
