#pragma once

// The real sshd test hosts started by tests/sshd/testhosts, as the C++ tests see them.

#include "ssh/sshtarget.h"

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QStringList>
#include <QTest>

namespace rd::test {

struct TestHost
{
    QString name;
    QString address;
    int port = 0;
    QString backingDir; // what the host sees as its deploy root
    QString deployRoot;
    QString user;
    QString address6;
};

struct TestHostSet
{
    QString dir;
    QList<TestHost> hosts;

    QString clientKey() const { return dir + QStringLiteral("/client/id_ed25519"); }
    QString passphraseKey() const { return dir + QStringLiteral("/client/id_ed25519_passphrase"); }
    QByteArray passphrase() const
    {
        QFile file(dir + QStringLiteral("/client/passphrase"));
        return file.open(QIODevice::ReadOnly) ? file.readAll().trimmed() : QByteArray();
    }
    QString knownHosts() const { return dir + QStringLiteral("/known_hosts"); }
};

inline QByteArray runTestHosts(const QStringList &arguments, int *exitCode = nullptr)
{
    QProcess process;
    process.setProcessChannelMode(QProcess::MergedChannels);
    process.start(QStringLiteral("bash"), QStringList{QStringLiteral(RELEASEDESK_TESTHOSTS)} + arguments);
    process.waitForFinished(180000);
    if (exitCode)
        *exitCode = process.exitCode();
    return process.readAll();
}

inline TestHostSet loadTestHosts(const QString &dir)
{
    TestHostSet set;
    set.dir = dir;
    QFile tsv(dir + QStringLiteral("/hosts.tsv"));
    if (!tsv.open(QIODevice::ReadOnly | QIODevice::Text))
        return set;
    while (!tsv.atEnd()) {
        const QString line = QString::fromUtf8(tsv.readLine()).trimmed();
        if (line.isEmpty() || line.startsWith(u'#'))
            continue;
        const QStringList f = line.split(u'\t');
        if (f.size() < 8)
            continue;
        set.hosts.append({f[1], f[2], f[3].toInt(), f[4], f[5], f[6], f[7] == u"-" ? QString() : f[7]});
    }
    return set;
}

// The hosts the ctest fixture started for the whole run.
inline TestHostSet fixtureHosts() { return loadTestHosts(QStringLiteral(RELEASEDESK_TESTHOSTS_DIR)); }

// A private set for destructive tests (killed daemons, changed host keys, full disks).
inline TestHostSet startPrivateHosts(const QString &dir, int count, const QStringList &extra = {})
{
    int exitCode = -1;
    const QByteArray output = runTestHosts(QStringList{QStringLiteral("start"), QStringLiteral("--dir"), dir,
                                                       QStringLiteral("--count"), QString::number(count)}
                                               + extra,
                                           &exitCode);
    if (exitCode != 0)
        qWarning("testhosts start failed: %s", output.constData());
    return loadTestHosts(dir);
}

inline void stopPrivateHosts(const QString &dir)
{
    runTestHosts({QStringLiteral("stop"), QStringLiteral("--dir"), dir});
}

inline SshTarget keyFileTarget(const TestHostSet &set, const TestHost &host)
{
    SshTarget target;
    target.name = host.name;
    target.host = host.address;
    target.port = host.port;
    target.username = host.user;
    target.keyPath = set.clientKey();
    target.connectTimeoutMs = 5000;
    return target;
}

// Removes a tree a test made on a test host. A path left empty by a set-up that failed early would be
// the current directory: only an absolute path is removed.
inline void removeTestTree(const QString &path)
{
    if (!path.isEmpty() && QDir::isAbsolutePath(path))
        QDir(path).removeRecursively();
}

inline QByteArray readAll(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

} // namespace rd::test
