// nodemailer through badsmtp, as an application uses it: createTransport({host, port, name,
// secure, ignoreTLS, requireTLS, tls, auth, authMethod}) and sendMail() with a raw message and
// an explicit envelope. nodemailer comes from npm into build/clients (NODE_PATH).
// Arguments and output: clients/lib/common.py.
'use strict';
const fs = require('fs');
const { parseArgs } = require('util');
const nodemailer = require('nodemailer');
const { version } = require('nodemailer/package.json');

const LIB = 'nodemailer';

function emit(out) {
    out = Object.assign({ library: LIB, version, error: null, recipients: null }, out);
    const sorted = {};
    for (const k of Object.keys(out).sort()) sorted[k] = out[k];
    process.stdout.write(JSON.stringify(sorted) + '\n');
}

const { values: o } = parseArgs({
    options: {
        host: { type: 'string' }, port: { type: 'string' }, ehlo: { type: 'string' },
        from: { type: 'string' }, to: { type: 'string', multiple: true },
        message: { type: 'string' }, auth: { type: 'string', default: 'none' },
        user: { type: 'string', default: '' }, pass: { type: 'string', default: '' },
        tls: { type: 'string', default: 'none' }, ca: { type: 'string' },
        timeout: { type: 'string', default: '10' }, pipeline: { type: 'boolean' }
    }
});

const ms = Math.round(parseFloat(o.timeout) * 1000);
const options = {
    host: o.host, port: Number(o.port), name: o.ehlo,
    connectionTimeout: ms, greetingTimeout: ms, socketTimeout: ms, logger: false
};
if (o.tls === 'none') options.ignoreTLS = true;
if (o.tls.startsWith('starttls')) options.requireTLS = true;
if (o.tls.startsWith('implicit')) options.secure = true;
if (o.tls === 'starttls-noverify' || o.tls === 'implicit') options.tls = { rejectUnauthorized: false };
if (o.tls.endsWith('-ca')) options.tls = { ca: fs.readFileSync(o.ca) };
if (o.auth === 'XOAUTH2') {
    options.auth = { type: 'OAuth2', user: o.user, accessToken: o.pass };
} else if (o.auth !== 'none') {
    options.auth = { user: o.user, pass: o.pass };
    options.authMethod = o.auth;
}

function recipients(accepted, rejectedErrors) {
    const byAddr = new Map((rejectedErrors || []).map(e => [e.recipient, e]));
    return o.to.map(address => {
        const e = byAddr.get(address);
        return e ? { address, accepted: false, code: e.responseCode ?? null, message: e.response ?? null }
                 : { address, accepted: (accepted || []).includes(address), code: null, message: null };
    });
}

nodemailer.createTransport(options).sendMail({
    envelope: { from: o.from, to: o.to },
    raw: fs.readFileSync(o.message)
}).then(info => {
    emit({ outcome: 'sent', recipients: recipients(info.accepted, info.rejectedErrors),
           detail: { response: info.response } });
}, err => {
    emit({ outcome: 'error',
           error: { class: err.code || err.name, message: err.message,
                    code: err.responseCode ?? null, enhanced: null },
           recipients: err.rejectedErrors ? recipients([], err.rejectedErrors) : null,
           detail: { command: err.command ?? null, response: err.response ?? null } });
});
