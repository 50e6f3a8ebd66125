// Benchmark of the SSH engine (issue "SSH engine", Measures): every ReleaseDesk figure is printed next
// to OpenSSH baselines measured in the same run, against 50 private sshd test hosts.
//
// 1. Upload of 200 MB to one host: SshSession::upload against `scp` and `ssh host 'cat > f' < file`,
//    and, to choose the transport, a pipelined SFTP upload against a plain exec-channel stream, both
//    over libssh2 connections of their own.
// 2. connect + authenticate + `true` on 50 hosts: SshPool against `xargs -P` of ssh and parallel-ssh,
//    with client and sshd CPU, peak memory and peak thread count.
//
// Run as root (the test hosts need it): bench_ssh [--rounds N] [--size-mb M] [--only fleet|upload]

#include "hostkeys/knownhosts.h"
#include "ssh/libssh2handles.h"
#include "ssh/sshlibrary.h"
#include "ssh/sshpool.h"
#include "ssh/sshsession.h"
#include "testhosts.h"

#include <QCoreApplication>
#include <QCryptographicHash>
#include <QDir>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QThread>

#include <algorithm>
#include <arpa/inet.h>
#include <atomic>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <map>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

extern char **environ;

using namespace rd;
using namespace rd::test;

namespace {

constexpr int HostCount = 50;
constexpr qint64 SftpBufferSize = 4 << 20;
constexpr qint64 StreamChunkSize = 1 << 20;

// ------------------------------------------------------------------ measuring

struct Sample
{
    double wall = 0;      // seconds
    double clientCpu = 0; // user+sys seconds of the client side
    double serverCpu = 0; // user+sys seconds of the sshd side
    int peakThreads = 0;
    qint64 peakRssKb = 0;
};

double median(std::vector<double> values)
{
    if (values.empty())
        return 0;
    std::sort(values.begin(), values.end());
    const size_t middle = values.size() / 2;
    return values.size() % 2 ? values[middle] : (values[middle - 1] + values[middle]) / 2;
}

struct Series
{
    std::vector<Sample> samples;
    bool failed = false;

    double of(double Sample::*field) const
    {
        std::vector<double> values;
        for (const Sample &s : samples)
            values.push_back(s.*field);
        return median(values);
    }
    int maxThreads() const
    {
        int peak = 0;
        for (const Sample &s : samples)
            peak = std::max(peak, s.peakThreads);
        return peak;
    }
    qint64 maxRssKb() const
    {
        qint64 peak = 0;
        for (const Sample &s : samples)
            peak = std::max(peak, s.peakRssKb);
        return peak;
    }
};

double seconds(const timeval &t) { return double(t.tv_sec) + double(t.tv_usec) / 1e6; }
double cpuOf(const rusage &usage) { return seconds(usage.ru_utime) + seconds(usage.ru_stime); }

double selfCpu()
{
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return cpuOf(usage);
}

int threadCount()
{
    return int(QDir(QStringLiteral("/proc/self/task")).entryList(QDir::Dirs | QDir::NoDotAndDotDot).size());
}

// VmHWM is the peak since the last reset through clear_refs, so each run reports its own peak.
void resetPeakRss()
{
    QFile file(QStringLiteral("/proc/self/clear_refs"));
    if (file.open(QIODevice::WriteOnly))
        file.write("5");
}

qint64 peakRssKb()
{
    QFile file(QStringLiteral("/proc/self/status"));
    if (!file.open(QIODevice::ReadOnly))
        return 0;
    for (const QByteArray &line : file.readAll().split('\n')) {
        if (line.startsWith("VmHWM:"))
            return line.mid(6).trimmed().split(' ').value(0).toLongLong();
    }
    return 0;
}

// The sshd side: each test host's listener forks one child per connection and reaps it, so the
// listener's own times plus its reaped children's times (cutime, cstime) grow by what every
// connection cost the server, its privilege-separated children and the user's command included.
class SshdClock
{
public:
    explicit SshdClock(QList<int> listeners) : m_listeners(std::move(listeners)) {}

    double read() const
    {
        waitUntilReaped();
        qint64 ticks = 0;
        for (int pid : m_listeners) {
            const QByteArray stat = readAll(QStringLiteral("/proc/%1/stat").arg(pid));
            // Fields after the command name: state is the first, utime the 12th ... cstime the 15th.
            const QList<QByteArray> fields = stat.mid(stat.lastIndexOf(')') + 2).split(' ');
            for (int index = 11; index <= 14 && index < fields.size(); ++index)
                ticks += fields[index].toLongLong();
        }
        return double(ticks) / double(sysconf(_SC_CLK_TCK));
    }

private:
    // A closed connection's sshd child is counted only once its listener has reaped it.
    void waitUntilReaped() const
    {
        QElapsedTimer waited;
        waited.start();
        while (waited.elapsed() < 5000) {
            bool any = false;
            for (int pid : m_listeners)
                any = any || !readAll(QStringLiteral("/proc/%1/task/%1/children").arg(pid)).trimmed().isEmpty();
            if (!any)
                return;
            QThread::msleep(10);
        }
        std::fprintf(stderr, "warning: sshd connection processes still running after 5 s\n");
    }

    QList<int> m_listeners;
};

// Runs a baseline script; its output goes to `log`. The child's rusage covers every process it waited for.
struct ProcessRun
{
    bool ok = false;
    Sample sample;
};

ProcessRun runProcess(const QStringList &arguments, const QString &log)
{
    std::vector<QByteArray> bytes;
    for (const QString &argument : arguments)
        bytes.push_back(argument.toLocal8Bit());
    std::vector<char *> argv;
    for (QByteArray &b : bytes)
        argv.push_back(b.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    const QByteArray logPath = QFile::encodeName(log);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, logPath.constData(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);

    ProcessRun run;
    QElapsedTimer timer;
    timer.start();
    pid_t pid = -1;
    const int spawned = posix_spawnp(&pid, argv[0], &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (spawned != 0) {
        std::fprintf(stderr, "could not start %s: %s\n", argv[0], strerror(spawned));
        return run;
    }
    int status = 0;
    rusage usage{};
    while (wait4(pid, &status, 0, &usage) < 0 && errno == EINTR) {
    }
    run.sample.wall = double(timer.nsecsElapsed()) / 1e9;
    run.sample.clientCpu = cpuOf(usage);
    run.ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
    if (!run.ok)
        std::fprintf(stderr, "%s failed (status %d); see %s\n", argv[0], status, logPath.constData());
    return run;
}

// ------------------------------------------------------------------ a plain libssh2 connection

// The transport experiments run on connections of their own, with the same algorithms, host key
// check and key authentication as SshSession, in blocking mode (one connection, one thread).
class Socket
{
public:
    explicit Socket(int fd = -1) : m_fd(fd) {}
    ~Socket()
    {
        if (m_fd >= 0)
            ::close(m_fd);
    }
    Socket(const Socket &) = delete;
    Socket &operator=(const Socket &) = delete;
    int fd() const { return m_fd; }

private:
    int m_fd;
};

using KnownHostsHandle = std::unique_ptr<LIBSSH2_KNOWNHOSTS, Libssh2Deleter<libssh2_knownhost_free>>;

struct RawConnection
{
    std::unique_ptr<Socket> socket; // declared first: the session says goodbye before the socket closes
    SessionHandle session;
};

QString lastError(LIBSSH2_SESSION *session)
{
    char *message = nullptr;
    libssh2_session_last_error(session, &message, nullptr, 0);
    return message ? QString::fromUtf8(message) : QStringLiteral("unknown libssh2 error");
}

Result<RawConnection> rawConnect(const TestHostSet &set, const TestHost &host)
{
    RawConnection connection;
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    connection.socket = std::make_unique<Socket>(fd);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(quint16(host.port));
    inet_pton(AF_INET, host.address.toLatin1().constData(), &address.sin_addr);
    if (fd < 0 || ::connect(fd, reinterpret_cast<sockaddr *>(&address), sizeof address) != 0)
        return fail(QStringLiteral("connect to %1:%2: %3").arg(host.address).arg(host.port).arg(QString::fromLocal8Bit(strerror(errno))));
    const int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);

    connection.session.reset(libssh2_session_init());
    LIBSSH2_SESSION *session = connection.session.get();
    libssh2_session_set_blocking(session, 1);
    libssh2_session_method_pref(session, LIBSSH2_METHOD_KEX, "curve25519-sha256,curve25519-sha256@libssh.org");
    for (int method : {LIBSSH2_METHOD_CRYPT_CS, LIBSSH2_METHOD_CRYPT_SC})
        libssh2_session_method_pref(session, method, "aes128-ctr,aes256-ctr");
    for (int method : {LIBSSH2_METHOD_MAC_CS, LIBSSH2_METHOD_MAC_SC})
        libssh2_session_method_pref(session, method, "hmac-sha2-256,hmac-sha2-512");
    libssh2_session_method_pref(session, LIBSSH2_METHOD_HOSTKEY, "ssh-ed25519");
    if (libssh2_session_handshake(session, fd) != 0)
        return fail(QStringLiteral("handshake: ") + lastError(session));

    KnownHostsHandle knownHosts(libssh2_knownhost_init(session));
    if (libssh2_knownhost_readfile(knownHosts.get(), QFile::encodeName(set.knownHosts()).constData(),
                                   LIBSSH2_KNOWNHOST_FILE_OPENSSH)
        < 0)
        return fail(QStringLiteral("reading known_hosts: ") + lastError(session));
    size_t length = 0;
    int type = 0;
    const char *key = libssh2_session_hostkey(session, &length, &type);
    if (!key || type != LIBSSH2_HOSTKEY_TYPE_ED25519)
        return fail(QStringLiteral("the server offered no ed25519 host key"));
    const int checked = libssh2_knownhost_checkp(knownHosts.get(), host.address.toLatin1().constData(), host.port,
                                                 key, length,
                                                 LIBSSH2_KNOWNHOST_TYPE_PLAIN | LIBSSH2_KNOWNHOST_KEYENC_RAW
                                                     | LIBSSH2_KNOWNHOST_KEY_ED25519,
                                                 nullptr);
    if (checked != LIBSSH2_KNOWNHOST_CHECK_MATCH)
        return fail(QStringLiteral("host key of %1 does not match known_hosts").arg(host.name));

    const QByteArray user = host.user.toUtf8();
    if (libssh2_userauth_publickey_fromfile_ex(session, user.constData(), unsigned(user.size()), nullptr,
                                               QFile::encodeName(set.clientKey()).constData(), nullptr)
        != 0)
        return fail(QStringLiteral("authentication: ") + lastError(session));
    return connection;
}

// Runs a command on a blocking session; returns its stdout, fails on a non-zero exit.
Result<QByteArray> rawExec(LIBSSH2_SESSION *session, const QByteArray &command)
{
    ChannelHandle channel(libssh2_channel_open_session(session), ChannelDeleter(session));
    if (!channel || libssh2_channel_exec(channel.get(), command.constData()) != 0)
        return fail(QStringLiteral("exec: ") + lastError(session));
    QByteArray output;
    char buffer[16384];
    for (ssize_t n; (n = libssh2_channel_read(channel.get(), buffer, sizeof buffer)) > 0;)
        output.append(buffer, qsizetype(n));
    libssh2_channel_close(channel.get());
    libssh2_channel_wait_closed(channel.get());
    const int status = libssh2_channel_get_exit_status(channel.get());
    if (status != 0)
        return fail(QStringLiteral("`%1` exited with %2").arg(QString::fromUtf8(command)).arg(status));
    return output;
}

QByteArray quoted(const QString &path) { return (u'\'' + path + u'\'').toUtf8(); }

// Pipelined SFTP as libssh2's sftp_write_sliding example: a large buffer whose whole unsent remainder
// goes to every libssh2_sftp_write call, so about SftpBufferSize / 30000 write requests are in flight.
// With `verify`, does what SshSession::upload guarantees: sha256 on both sides, then rename into place.
Result<> sftpUpload(LIBSSH2_SESSION *session, const QString &localPath, const QString &remotePath, bool verify)
{
    QFile local(localPath);
    if (!local.open(QIODevice::ReadOnly))
        return fail(QStringLiteral("open ") + localPath);
    SftpHandle sftp(libssh2_sftp_init(session));
    if (!sftp)
        return fail(QStringLiteral("sftp init: ") + lastError(session));
    const QString target = verify ? remotePath + QStringLiteral(".part") : remotePath;
    const QByteArray remote = target.toUtf8();
    SftpFileHandle file(libssh2_sftp_open_ex(sftp.get(), remote.constData(), unsigned(remote.size()),
                                             LIBSSH2_FXF_WRITE | LIBSSH2_FXF_CREAT | LIBSSH2_FXF_TRUNC, 0644,
                                             LIBSSH2_SFTP_OPENFILE));
    if (!file)
        return fail(QStringLiteral("sftp open: ") + lastError(session));
    QCryptographicHash hash(QCryptographicHash::Sha256);
    std::vector<char> buffer(static_cast<size_t>(SftpBufferSize));
    qint64 begin = 0;
    qint64 end = 0;
    bool atEnd = false;
    for (;;) {
        // Refill once half the buffer is acknowledged; moving the unacknowledged rest is allowed
        // because libssh2 copied it into its packets already.
        if (!atEnd && end - begin < SftpBufferSize / 2) {
            std::memmove(buffer.data(), buffer.data() + begin, size_t(end - begin));
            end -= begin;
            begin = 0;
            const qint64 n = local.read(buffer.data() + end, SftpBufferSize - end);
            if (n < 0)
                return fail(QStringLiteral("read ") + localPath);
            if (verify)
                hash.addData(QByteArrayView(buffer.data() + end, n));
            atEnd = n == 0;
            end += n;
        }
        if (begin == end) {
            if (atEnd)
                break;
            continue;
        }
        const ssize_t written = libssh2_sftp_write(file.get(), buffer.data() + begin, size_t(end - begin));
        if (written < 0)
            return fail(QStringLiteral("sftp write: ") + lastError(session));
        begin += written;
    }
    if (libssh2_sftp_close_handle(file.release()) != 0)
        return fail(QStringLiteral("sftp close: ") + lastError(session));
    if (!verify)
        return {};
    const QByteArray check = "sum=$(sha256sum < " + quoted(target) + ") && [ \"${sum%% *}\" = "
                             + hash.result().toHex() + " ] && mv -f " + quoted(target) + ' ' + quoted(remotePath);
    auto checked = rawExec(session, check);
    if (!checked)
        return std::unexpected(checked.error());
    return {};
}

// The same bytes streamed through an exec channel (`cat > file`), 1 MB writes as SshSession::upload.
Result<> streamUpload(LIBSSH2_SESSION *session, const QString &localPath, const QString &remotePath)
{
    QFile local(localPath);
    if (!local.open(QIODevice::ReadOnly))
        return fail(QStringLiteral("open ") + localPath);
    const QByteArray command = "cat > " + quoted(remotePath);
    ChannelHandle channel(libssh2_channel_open_session(session), ChannelDeleter(session));
    if (!channel || libssh2_channel_exec(channel.get(), command.constData()) != 0)
        return fail(QStringLiteral("exec: ") + lastError(session));
    std::vector<char> buffer(static_cast<size_t>(StreamChunkSize));
    for (qint64 n; (n = local.read(buffer.data(), StreamChunkSize)) > 0;) {
        for (qint64 done = 0; done < n;) {
            const ssize_t written = libssh2_channel_write(channel.get(), buffer.data() + done, size_t(n - done));
            if (written < 0)
                return fail(QStringLiteral("channel write: ") + lastError(session));
            done += written;
        }
    }
    libssh2_channel_send_eof(channel.get());
    libssh2_channel_wait_eof(channel.get());
    libssh2_channel_close(channel.get());
    libssh2_channel_wait_closed(channel.get());
    if (libssh2_channel_get_exit_status(channel.get()) != 0)
        return fail(QStringLiteral("cat on the server failed"));
    return {};
}

// ------------------------------------------------------------------ the benchmark

class Bench
{
public:
    Bench(int rounds, qint64 sizeMb, QString only) : m_rounds(rounds), m_sizeMb(sizeMb), m_only(std::move(only)) {}
    int run();

private:
    bool setUp();
    void tearDown();
    QList<int> listenerPids(int count) const;
    QString script(const char *name) const
    {
        return QStringLiteral(RELEASEDESK_SOURCE_DIR "/tests/bench/baselines/") + QLatin1String(name);
    }
    QStringList hostNames(int count) const;

    void uploads();
    void fleet();
    bool verifyRemote(const QString &remotePath);
    Result<Sample> poolRun(int parallelism, int connectionsPerSecond);

    void measure(const QString &name, const std::function<std::optional<Sample>()> &once);
    void printSeries(const QString &name) const;
    double ratio(const QString &name, const QString &baseline) const;
    void summary();

    int m_rounds;
    qint64 m_sizeMb;
    QString m_only; // empty: everything
    QTemporaryDir m_dir;
    TestHostSet m_hosts;
    std::unique_ptr<KnownHosts> m_knownHosts;
    QString m_payload;
    QByteArray m_payloadSha;
    QString m_log;
    std::map<QString, Series> m_series;
    QStringList m_order;
};

bool Bench::setUp()
{
    if (!m_dir.isValid())
        return false;
    m_log = m_dir.filePath(QStringLiteral("baselines.log"));
    std::printf("Starting %d test hosts (tmpfs deploy roots)...\n", HostCount);
    std::fflush(stdout);
    m_hosts = startPrivateHosts(m_dir.filePath(QStringLiteral("hosts")), HostCount,
                                {QStringLiteral("--tmpfs-size"), QStringLiteral("512m")});
    if (m_hosts.hosts.size() != HostCount)
        return false;
    m_knownHosts = std::make_unique<KnownHosts>(m_dir.filePath(QStringLiteral("known_hosts")));
    if (auto imported = m_knownHosts->import(m_hosts.knownHosts()); !imported || imported->added == 0) {
        std::fprintf(stderr, "could not import the test hosts' known_hosts\n");
        return false;
    }

    // Incompressible payload, written once; the page cache keeps it, so no run reads the disk.
    m_payload = m_dir.filePath(QStringLiteral("payload.bin"));
    QFile payload(m_payload);
    if (!payload.open(QIODevice::WriteOnly))
        return false;
    QCryptographicHash hash(QCryptographicHash::Sha256);
    std::vector<quint32> block((1 << 20) / sizeof(quint32));
    for (qint64 mb = 0; mb < m_sizeMb; ++mb) {
        QRandomGenerator::global()->fillRange(block.data(), block.size());
        const QByteArrayView bytes(reinterpret_cast<const char *>(block.data()), qsizetype(block.size() * sizeof(quint32)));
        hash.addData(bytes);
        payload.write(bytes.data(), bytes.size());
    }
    payload.close();
    m_payloadSha = hash.result().toHex();

    // No connection reuse may help the baselines: the generated client config must have no master.
    QProcess config;
    config.start(QStringLiteral("ssh"), {QStringLiteral("-F"), m_hosts.dir + QStringLiteral("/ssh_config"),
                                         QStringLiteral("-G"), QStringLiteral("host01")});
    config.waitForFinished();
    const QByteArray effective = config.readAllStandardOutput();
    // `ssh -G` leaves out a ControlPath of none.
    const bool noMaster = effective.contains("\ncontrolmaster false\n") && effective.contains("\ncontrolpersist no\n")
                          && !effective.contains("\ncontrolpath ");
    std::printf("OpenSSH client config: no ControlMaster, ControlPersist or ControlPath: %s\n", noMaster ? "yes" : "NO");
    return noMaster;
}

void Bench::tearDown() { stopPrivateHosts(m_hosts.dir); }

QList<int> Bench::listenerPids(int count) const
{
    QList<int> pids;
    for (int i = 0; i < count && i < m_hosts.hosts.size(); ++i)
        pids.append(readAll(m_hosts.dir + u'/' + m_hosts.hosts[i].name + QStringLiteral("/sshd.pid")).trimmed().toInt());
    return pids;
}

QStringList Bench::hostNames(int count) const
{
    QStringList names;
    for (int i = 0; i < count; ++i)
        names.append(m_hosts.hosts[i].name);
    return names;
}

void Bench::measure(const QString &name, const std::function<std::optional<Sample>()> &once)
{
    if (!m_series.contains(name))
        m_order.append(name);
    Series &series = m_series[name];
    if (series.failed)
        return;
    const auto sample = once();
    if (!sample) {
        series.failed = true;
        std::printf("  %-44s FAILED\n", qPrintable(name));
    } else {
        series.samples.push_back(*sample);
        std::printf("  %-44s %7.3f s  client CPU %6.3f s  sshd CPU %6.3f s\n", qPrintable(name), sample->wall,
                    sample->clientCpu, sample->serverCpu);
    }
    std::fflush(stdout);
}

bool Bench::verifyRemote(const QString &remotePath)
{
    auto connection = rawConnect(m_hosts, m_hosts.hosts[0]);
    if (!connection)
        return false;
    auto sum = rawExec(connection->session.get(), "sha256sum < " + quoted(remotePath) + "; rm -f " + quoted(remotePath));
    return sum && sum->startsWith(m_payloadSha);
}

void Bench::uploads()
{
    const TestHost &host = m_hosts.hosts[0];
    const QString config = m_hosts.dir + QStringLiteral("/ssh_config");
    const QString remote = host.deployRoot + QStringLiteral("/upload.bin");
    const SshdClock sshd(listenerPids(1));
    const QString size = QString::number(m_sizeMb);

    // Each variant: wall time from nothing to the file in place (connection set-up included).
    auto external = [&](const QStringList &arguments) -> std::optional<Sample> {
        const double before = sshd.read();
        ProcessRun run = runProcess(arguments, m_log);
        run.sample.serverCpu = sshd.read() - before;
        if (!run.ok || !verifyRemote(remote))
            return std::nullopt;
        return run.sample;
    };
    auto inProcess = [&](const std::function<Result<>()> &work) -> std::optional<Sample> {
        const double before = sshd.read();
        const double cpu = selfCpu();
        QElapsedTimer timer;
        timer.start();
        const Result<> done = work();
        Sample sample;
        sample.wall = double(timer.nsecsElapsed()) / 1e9;
        sample.clientCpu = selfCpu() - cpu;
        sample.serverCpu = sshd.read() - before;
        if (!done) {
            std::fprintf(stderr, "%s\n", qPrintable(done.error().text()));
            return std::nullopt;
        }
        if (!verifyRemote(remote))
            return std::nullopt;
        return sample;
    };

    for (int round = 1; round <= m_rounds; ++round) {
        std::printf("Upload of %lld MB to %s, round %d of %d\n", m_sizeMb, qPrintable(host.name), round, m_rounds);
        measure(QStringLiteral("upload: OpenSSH scp (SFTP protocol)"), [&] {
            return external({script("scp.sh"), config, m_payload, host.name + u':' + remote});
        });
        measure(QStringLiteral("upload: OpenSSH scp -O (legacy protocol)"), [&] {
            return external({script("scp.sh"), config, m_payload, host.name + u':' + remote, QStringLiteral("-O")});
        });
        measure(QStringLiteral("upload: OpenSSH ssh 'cat > f' < file"), [&] {
            return external({script("ssh-cat.sh"), config, m_payload, host.name, remote});
        });
        measure(QStringLiteral("upload: ReleaseDesk SshSession::upload"), [&] {
            return inProcess([&]() -> Result<> {
                auto session = SshSession::connect(keyFileTarget(m_hosts, host), *m_knownHosts, {});
                if (!session)
                    return std::unexpected(session.error());
                auto sent = (*session)->upload(m_payload, remote);
                if (!sent)
                    return std::unexpected(sent.error());
                return {};
            });
        });
        measure(QStringLiteral("upload: libssh2 exec stream (cat, no check)"), [&] {
            return inProcess([&]() -> Result<> {
                auto connection = rawConnect(m_hosts, host);
                if (!connection)
                    return std::unexpected(connection.error());
                return streamUpload(connection->session.get(), m_payload, remote);
            });
        });
        measure(QStringLiteral("upload: libssh2 SFTP pipelined (no check)"), [&] {
            return inProcess([&]() -> Result<> {
                auto connection = rawConnect(m_hosts, host);
                if (!connection)
                    return std::unexpected(connection.error());
                return sftpUpload(connection->session.get(), m_payload, remote, false);
            });
        });
        measure(QStringLiteral("upload: libssh2 SFTP pipelined + sha256 + mv"), [&] {
            return inProcess([&]() -> Result<> {
                auto connection = rawConnect(m_hosts, host);
                if (!connection)
                    return std::unexpected(connection.error());
                return sftpUpload(connection->session.get(), m_payload, remote, true);
            });
        });
        // Where SshSession::upload's time goes besides the transfer: its two sha256 passes.
        measure(QStringLiteral("part: QCryptographicHash sha256 of the file"), [&]() -> std::optional<Sample> {
            const double cpu = selfCpu();
            QElapsedTimer timer;
            timer.start();
            QFile file(m_payload);
            if (!file.open(QIODevice::ReadOnly))
                return std::nullopt;
            QCryptographicHash hash(QCryptographicHash::Sha256);
            hash.addData(&file);
            Sample sample;
            sample.wall = double(timer.nsecsElapsed()) / 1e9;
            sample.clientCpu = selfCpu() - cpu;
            if (hash.result().toHex() != m_payloadSha)
                return std::nullopt;
            return sample;
        });
        // Wall time only: the connection stays open, so its sshd child cannot be counted apart.
        measure(QStringLiteral("part: sha256sum of the file on the server"), [&]() -> std::optional<Sample> {
            auto connection = rawConnect(m_hosts, host);
            if (!connection || !rawExec(connection->session.get(), "head -c " + size.toLatin1() + "M /dev/zero > "
                                                                       + quoted(remote)))
                return std::nullopt;
            QElapsedTimer timer;
            timer.start();
            auto sum = rawExec(connection->session.get(), "sha256sum < " + quoted(remote) + " >/dev/null");
            Sample sample;
            sample.wall = double(timer.nsecsElapsed()) / 1e9;
            if (!sum || !rawExec(connection->session.get(), "rm -f " + quoted(remote)))
                return std::nullopt;
            return sample;
        });
    }
}

Result<Sample> Bench::poolRun(int parallelism, int connectionsPerSecond)
{
    const SshdClock sshd(listenerPids(HostCount));
    const double serverBefore = sshd.read();
    resetPeakRss();
    std::atomic_int peakThreads = threadCount();
    auto notePeak = [&peakThreads] {
        const int now = threadCount();
        int seen = peakThreads.load();
        while (now > seen && !peakThreads.compare_exchange_weak(seen, now)) {
        }
    };
    QStringList failures;
    const double cpuBefore = selfCpu();
    QElapsedTimer timer;
    timer.start();
    {
        SshPool pool(*m_knownHosts, {}, parallelism, connectionsPerSecond);
        QObject::connect(&pool, &SshPool::jobFinished, &pool,
                         [&](int, const QString &server, bool ok, const QString &message, const QString &) {
                             if (!ok)
                                 failures.append(server + QStringLiteral(": ") + message);
                         });
        QObject::connect(&pool, &SshPool::connected, &pool, notePeak);
        for (const TestHost &host : std::as_const(m_hosts.hosts)) {
            pool.addServer(keyFileTarget(m_hosts, host));
            pool.enqueue(host.name, [&notePeak](SshSession &session, const SshJobContext &) -> Result<> {
                notePeak();
                auto ran = session.exec(QStringLiteral("true"));
                if (!ran)
                    return std::unexpected(ran.error());
                if (!ran->succeeded())
                    return fail(QStringLiteral("true exited with %1").arg(ran->exitStatus));
                return {};
            });
        }
        QEventLoop loop;
        QObject::connect(&pool, &SshPool::idle, &loop, &QEventLoop::quit);
        pool.finishAll();
        if (!pool.isIdle())
            loop.exec();
    }
    Sample sample;
    sample.wall = double(timer.nsecsElapsed()) / 1e9;
    sample.clientCpu = selfCpu() - cpuBefore;
    sample.peakThreads = peakThreads.load();
    sample.peakRssKb = peakRssKb();
    sample.serverCpu = sshd.read() - serverBefore;
    if (!failures.isEmpty())
        return fail(failures.join(u'\n'));
    return sample;
}

void Bench::fleet()
{
    const QString config = m_hosts.dir + QStringLiteral("/ssh_config");
    const QStringList names = hostNames(HostCount);
    const SshdClock sshd(listenerPids(HostCount));
    auto external = [&](const char *baseline, int parallelism) -> std::optional<Sample> {
        const double before = sshd.read();
        ProcessRun run = runProcess(QStringList{script(baseline), config, QString::number(parallelism),
                                                QStringLiteral("true")}
                                        + names,
                                    m_log);
        run.sample.serverCpu = sshd.read() - before;
        return run.ok ? std::optional<Sample>(run.sample) : std::nullopt;
    };
    auto pool = [&](int parallelism, int perSecond) -> std::optional<Sample> {
        auto sample = poolRun(parallelism, perSecond);
        if (!sample) {
            std::fprintf(stderr, "%s\n", qPrintable(sample.error().text()));
            return std::nullopt;
        }
        return *sample;
    };
    for (int round = 1; round <= m_rounds; ++round) {
        for (int p : {10, 50}) {
            std::printf("connect + auth + true on %d hosts, parallelism %d, round %d of %d\n", HostCount, p, round,
                        m_rounds);
            const QString suffix = QStringLiteral(" p=%1").arg(p);
            measure(QStringLiteral("fleet: xargs -P ssh") + suffix, [&] { return external("ssh-xargs.sh", p); });
            measure(QStringLiteral("fleet: parallel-ssh") + suffix, [&] { return external("pssh.sh", p); });
            // The CLI's pool spaces new connections at 50 per second; without the throttle for comparison.
            measure(QStringLiteral("fleet: ReleaseDesk SshPool 50/s") + suffix, [&] { return pool(p, 50); });
            measure(QStringLiteral("fleet: ReleaseDesk SshPool no throttle") + suffix, [&] { return pool(p, 0); });
        }
    }
}

double Bench::ratio(const QString &name, const QString &baseline) const
{
    const auto a = m_series.find(name);
    const auto b = m_series.find(baseline);
    if (a == m_series.end() || b == m_series.end() || a->second.failed || b->second.failed
        || a->second.samples.empty() || b->second.samples.empty())
        return -1;
    return a->second.of(&Sample::wall) / b->second.of(&Sample::wall);
}

void Bench::printSeries(const QString &name) const
{
    const Series &s = m_series.at(name);
    if (s.failed || s.samples.empty()) {
        std::printf("  %-44s FAILED\n", qPrintable(name));
        return;
    }
    std::printf("  %-44s %7.3f s  client CPU %6.3f s  sshd CPU %6.3f s", qPrintable(name), s.of(&Sample::wall),
                s.of(&Sample::clientCpu), s.of(&Sample::serverCpu));
    if (s.maxThreads() > 0)
        std::printf("  peak threads %d  peak RSS %.1f MiB", s.maxThreads(), double(s.maxRssKb()) / 1024.0);
    std::printf("\n");
}

void Bench::summary()
{
    std::printf("\n== Medians of %d rounds ==\n", m_rounds);
    for (const QString &name : std::as_const(m_order))
        printSeries(name);

    auto faster = [&](const QString &a, const QString &b) {
        const double ra = ratio(a, b);
        return ra < 0 ? QString() : (ra <= 1 ? a : b);
    };
    auto goal = [&](const QString &label, const QString &ours, const QString &baseline, double limit) {
        const double r = ratio(ours, baseline);
        if (r < 0)
            std::printf("  %-58s no figure (a run failed)\n", qPrintable(label));
        else
            std::printf("  %-58s %5.2f x %-36s goal <= %.1f: %s\n", qPrintable(label), r, qPrintable(baseline), limit,
                        r <= limit ? "MET" : "NOT MET");
    };

    std::printf("\n== Summary ==\n");
    const QString upload = QStringLiteral("upload: ReleaseDesk SshSession::upload");
    const QString fastestUpload = faster(QStringLiteral("upload: OpenSSH scp (SFTP protocol)"),
                                         QStringLiteral("upload: OpenSSH ssh 'cat > f' < file"));
    if (!fastestUpload.isEmpty())
        goal(QStringLiteral("upload %1 MB, against the faster OpenSSH way").arg(m_sizeMb), upload, fastestUpload, 1.1);
    const double transport = ratio(QStringLiteral("upload: libssh2 SFTP pipelined (no check)"),
                                   QStringLiteral("upload: libssh2 exec stream (cat, no check)"));
    if (transport > 0)
        std::printf("  %-58s %5.2f x exec stream: %s is faster, by %.0f %%\n",
                    "transport: pipelined SFTP against exec stream", transport, transport < 1 ? "SFTP" : "exec stream",
                    (transport < 1 ? 1 / transport - 1 : transport - 1) * 100);
    const double checked = ratio(QStringLiteral("upload: libssh2 SFTP pipelined + sha256 + mv"), upload);
    if (checked > 0)
        std::printf("  %-58s %5.2f x SshSession::upload: %s is faster, by %.0f %%\n",
                    "verified upload: SFTP + sha256 + mv against the product", checked,
                    checked < 1 ? "SFTP" : "SshSession::upload", (checked < 1 ? 1 / checked - 1 : checked - 1) * 100);
    for (int p : {10, 50}) {
        const QString suffix = QStringLiteral(" p=%1").arg(p);
        const QString fastest = faster(QStringLiteral("fleet: xargs -P ssh") + suffix,
                                       QStringLiteral("fleet: parallel-ssh") + suffix);
        if (fastest.isEmpty())
            continue;
        goal(QStringLiteral("50 hosts p=%1, SshPool as the CLI (50/s)").arg(p),
             QStringLiteral("fleet: ReleaseDesk SshPool 50/s") + suffix, fastest, 1.0);
        goal(QStringLiteral("50 hosts p=%1, SshPool without throttle").arg(p),
             QStringLiteral("fleet: ReleaseDesk SshPool no throttle") + suffix, fastest, 1.0);
    }
}

int Bench::run()
{
    if (geteuid() != 0) {
        std::fprintf(stderr, "bench_ssh must run as root: the test hosts start sshd.\n");
        return 2;
    }
    const bool ready = setUp();
    if (ready) {
        std::printf("load average at start: %s", readAll(QStringLiteral("/proc/loadavg")).constData());
        if (m_only.isEmpty() || m_only == u"fleet")
            fleet();
        if (m_only.isEmpty() || m_only == u"upload")
            uploads();
        summary();
        std::printf("load average at end: %s", readAll(QStringLiteral("/proc/loadavg")).constData());
    }
    tearDown();
    return ready ? 0 : 1;
}

} // namespace

int main(int argc, char **argv)
{
    SshLibrary library;
    QCoreApplication app(argc, argv);
    if (!library.ok())
        return 1;
    const QStringList arguments = app.arguments();
    int rounds = 3;
    qint64 sizeMb = 200;
    QString only;
    for (int i = 1; i + 1 < arguments.size(); i += 2) {
        if (arguments[i] == u"--rounds")
            rounds = std::max(1, arguments[i + 1].toInt());
        else if (arguments[i] == u"--size-mb")
            sizeMb = std::max<qint64>(1, arguments[i + 1].toLongLong());
        else if (arguments[i] == u"--only")
            only = arguments[i + 1];
    }
    return Bench(rounds, sizeMb, only).run();
}
