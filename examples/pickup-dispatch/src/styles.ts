// The sample's stylesheet: a dark navbar and white panels, after the WSO2 Pickup Dispatch look.
export const STYLESHEET = `*{box-sizing:border-box}
body{margin:0;font-family:"Helvetica Neue",Helvetica,Arial,sans-serif;background:#eef1f4;color:#222;display:flex;flex-direction:column;min-height:100vh}
.skip{position:absolute;left:-999px}.skip:focus{left:1rem;top:1rem;background:#fff;padding:.5rem;z-index:1}
.visually-hidden{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
.navbar{display:flex;align-items:center;gap:1.25rem;background:#1c2733;color:#fff;padding:.8rem 1.5rem}
.brand{color:#fff;text-decoration:none;font-weight:700;letter-spacing:.08em}
.tagline{color:#9fb1c4;font-size:.95rem}
.user{margin-left:auto;display:flex;align-items:center;gap:.75rem}.user form{margin:0}
.subject{font-weight:600}
main{flex:1;width:100%;max-width:72rem;margin:0 auto;padding:1.5rem}
.hero{text-align:center;margin:4rem auto;max-width:36rem;background:#fff;border-radius:6px;padding:3rem 2rem;box-shadow:0 1px 3px rgba(0,0,0,.12)}
.hero h1{letter-spacing:.08em;margin-top:0}.sub-title{display:block;font-size:1.1rem;letter-spacing:0;color:#667;font-weight:400;margin-top:.5rem}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(22rem,1fr));gap:1.5rem;align-items:start}
.panel{background:#fff;border-radius:6px;box-shadow:0 1px 3px rgba(0,0,0,.12);padding:1.25rem 1.5rem;margin-bottom:1.5rem}
.panel-title{margin:-1.25rem -1.5rem 1rem;padding:.75rem 1.5rem;background:#f6f8fa;border-bottom:1px solid #dde3e9;border-radius:6px 6px 0 0;font-size:1.1rem}
.subject-heading{font-size:1.3rem;word-break:break-all}
.details-table{width:100%;border-collapse:collapse}.details-table caption{text-align:left;font-weight:700;padding:.5rem 0}
.details-table th,.details-table td{text-align:left;padding:.45rem .5rem;border-bottom:1px solid #e5e9ee;vertical-align:top}
.details-table thead th{background:#f6f8fa}.details-table td{word-break:break-word}
.empty{color:#8a5a00;background:#fff7e6;border:1px solid #f5d48a;padding:.75rem;border-radius:4px}
.login-summary{display:grid;grid-template-columns:max-content 1fr;gap:.35rem 1rem}.login-summary dd{margin:0;font-weight:600}
pre.code{background:#1c2733;color:#dfe7ef;padding:1rem;border-radius:4px;overflow:auto;font-size:.85rem}
.booking-form{display:grid;gap:.75rem;margin-bottom:1rem}
.field{display:flex;flex-direction:column;gap:.25rem}.field label{font-weight:600}
.field select,.field input{padding:.45rem;border:1px solid #b8c2cc;border-radius:4px;font:inherit}
.columns{display:grid;grid-template-columns:repeat(auto-fit,minmax(10rem,1fr));gap:1rem}.columns h3{font-size:1rem}
.button{display:inline-block;padding:.5rem 1.1rem;border-radius:4px;border:1px solid #b8c2cc;background:#fff;color:#222;font:inherit;text-decoration:none;cursor:pointer}
.button-primary{background:#f47b20;border-color:#f47b20;color:#fff;font-weight:600}
.button-light{background:transparent;color:#fff;border-color:#9fb1c4}
.button:focus-visible{outline:3px solid #5b9dd9;outline-offset:2px}
.notice{background:#e8f5e9;border:1px solid #a5d6a7;padding:.6rem;border-radius:4px}
.problem{max-width:40rem;margin:3rem auto}.problem h1{margin-top:0;font-size:1.5rem;color:#9b1c1c}
.details{display:grid;grid-template-columns:max-content 1fr;gap:.35rem 1rem}.details dd{margin:0;word-break:break-word}
.actions{display:flex;gap:.75rem;margin-top:1.5rem}
.footer{text-align:center;color:#667;font-size:.9rem;padding:1rem}
`;
