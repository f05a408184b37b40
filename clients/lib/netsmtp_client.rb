# Ruby net-smtp through badsmtp, as an application uses it: Net::SMTP.new, enable_starttls /
# disable_starttls / enable_tls, start(helo:, user:, secret:, authtype:) with a block,
# send_message. Arguments and output: clients/lib/common.py.
require 'json'
require 'net/smtp'
require 'openssl'
require 'optparse'

LIB = 'netsmtp'.freeze

def emit(out)
  out = { 'library' => LIB, 'version' => Net::SMTP::VERSION, 'error' => nil,
          'recipients' => nil }.merge(out)
  puts JSON.generate(out.sort.to_h)
end

o = { 'to' => [], 'auth' => 'none', 'tls' => 'none', 'timeout' => 10.0 }
OptionParser.new do |p|
  %w[host port ehlo from message auth user pass tls ca].each do |k|
    p.on("--#{k} V") { |v| o[k] = v }
  end
  p.on('--to V') { |v| o['to'] << v }
  p.on('--timeout V', Float) { |v| o['timeout'] = v }
  p.on('--pipeline') { o['pipeline'] = true }
end.parse!

# net-smtp 0.3.1 has PLAIN, LOGIN and CRAM-MD5; XOAUTH2 needs a gem that adds auth_xoauth2.
AUTHTYPES = { 'PLAIN' => :plain, 'LOGIN' => :login, 'CRAM-MD5' => :cram_md5 }.freeze
if o['auth'] != 'none' && !AUTHTYPES.key?(o['auth'])
  emit('outcome' => 'unsupported', 'reason' => "no #{o['auth']} in net-smtp #{Net::SMTP::VERSION}")
  exit 0
end

def context(o)
  ctx = OpenSSL::SSL::SSLContext.new
  if %w[starttls-noverify implicit].include?(o['tls'])
    ctx.verify_mode = OpenSSL::SSL::VERIFY_NONE
  else
    ctx.set_params(verify_mode: OpenSSL::SSL::VERIFY_PEER)
    ctx.ca_file = o['ca'] if o['ca']
  end
  ctx
end

smtp = Net::SMTP.new(o['host'], o['port'].to_i)
smtp.open_timeout = o['timeout']
smtp.read_timeout = o['timeout']
case o['tls']
when 'none' then smtp.disable_starttls
when 'implicit', 'implicit-ca' then smtp.enable_tls(context(o))
when 'default' then nil
else smtp.enable_starttls(context(o))
end

begin
  args = { helo: o['ehlo'] }
  args.update(user: o['user'], secret: o['pass'], authtype: AUTHTYPES[o['auth']]) if o['auth'] != 'none'
  smtp.start(**args) do |s|
    s.send_message(File.binread(o['message']), o['from'], *o['to'])
  end
  emit('outcome' => 'sent')
rescue StandardError, Timeout::Error => e
  res = e.respond_to?(:response) ? e.response : nil
  emit('outcome' => 'error',
       'error' => { 'class' => e.class.name, 'message' => e.message,
                    'code' => res ? res.status.to_i : nil, 'enhanced' => nil })
end
