#pragma once

#include "common/error.h"
#include "hostkeyinfo.h"

#include <QCoreApplication>
#include <QList>
#include <QMutex>

namespace rd {

// ReleaseDesk's own known_hosts file, in OpenSSH format (plain and hashed host names, [host]:port,
// @revoked). Shared by every worker thread, so every access is under one lock.
class KnownHosts
{
    Q_DECLARE_TR_FUNCTIONS(KnownHosts)

public:
    explicit KnownHosts(QString path);

    QString path() const { return m_path; }

    // Fills info.state (and storedFingerprint for a changed key).
    void check(HostKeyInfo &info) const;
    // The key types known for a host, so the handshake can ask for the one we have.
    QStringList knownTypes(const QString &host, int port) const;
    // Appends host key lines; a changed key is only replaced through replace().
    Result<> remember(const HostKeyInfo &info);
    // Removes every entry for the host and stores the given key: the operator's explicit resolution of a change.
    Result<> replace(const HostKeyInfo &info);
    // Removes every entry for the host (plain and hashed); returns how many.
    Result<int> forget(const QString &host, int port);
    struct ImportReport
    {
        int added = 0;
        int alreadyKnown = 0;
        QStringList skipped; // "line N: why", one per line not taken
    };
    // Copies the valid entries of an OpenSSH known_hosts file (e.g. ~/.ssh/known_hosts); lines that are
    // not host keys ReleaseDesk can use are skipped and reported.
    Result<ImportReport> import(const QString &openSshKnownHostsPath);

    static QString hostPattern(const QString &host, int port);

private:
    struct Entry
    {
        QString hosts; // the pattern field as written
        QString type;
        QByteArray blob;
        bool revoked = false;
        QString line;
    };

    // What identifies a version of the file: another process (the CLI beside the app) may rewrite it.
    struct Stamp
    {
        bool exists = false;
        quint64 inode = 0;
        qint64 size = 0;
        qint64 modifiedNs = 0;
        bool operator==(const Stamp &) const = default;
    };

    // The file's entries, read again only when it changed: every connection checks its host key,
    // and a fleet's file has a line per server and key type.
    const QList<Entry> &load(Error *error) const;
    Result<> save(const QStringList &lines) const;
    static bool matches(const Entry &entry, const QString &hostPattern);
    // nullopt for a blank or comment line (no reason) and for a line that is not a usable entry
    // (the reason in *whySkipped).
    static std::optional<Entry> parse(const QString &line, QString *whySkipped = nullptr);

    QString m_path;
    mutable QMutex m_mutex;
    mutable QList<Entry> m_entries;
    mutable std::optional<Stamp> m_loaded;
    mutable qint64 m_loadedAtNs = 0;
};

} // namespace rd
