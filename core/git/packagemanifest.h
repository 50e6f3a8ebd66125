#pragma once

#include "common/error.h"

#include <QByteArray>
#include <QCoreApplication>
#include <QList>
#include <QString>
#include <QStringList>

namespace rd {

// The `.releasedesk.json` inside every package, written as the archive's last entry.
//
// payloadSha256 covers what the package delivers, independently of how tar and gzip encode it: the
// SHA-256 of one line per regular file and symlink (directories and the manifest itself are left
// out), in the order of their paths' UTF-8 bytes:
//     f <mode, 4 octal digits> <sha256 hex of the content> <path>\n
//     l 0777 <sha256 hex of the link target> <path>\n
// so an extracted tree can be checked against it (PackageManifest::PayloadDigest does both sides).
struct PackageManifest
{
    Q_DECLARE_TR_FUNCTIONS(PackageManifest)

public:
    enum class Kind { Full, Patch };

    static constexpr int FormatVersion = 1;
    static QString fileName() { return QStringLiteral(".releasedesk.json"); }

    Kind kind = Kind::Full;
    QString project;
    QString commit; // full id of the commit packaged (the target of a patch)
    QString ref;    // what the operator asked for: branch, tag or id
    QString version;
    qint64 commitTime = 0; // seconds since the epoch; also every entry's mtime
    qint64 fileCount = 0;  // regular files and symlinks in the payload
    QString payloadSha256;
    QString hookSha256; // of the after-download hook's script; empty when none ran
    QStringList excludes;

    // Patch packages: the server must be at baseCommit. To apply: remove each path of `deleted`
    // (files, symlinks and whole folders), then extract the archive.
    QString baseCommit;
    QStringList deleted;

    QByteArray toJson() const;
    static Result<PackageManifest> fromJson(const QByteArray &json);
    static QString kindName(Kind kind);

    // One line per payload entry, fed in path order.
    class PayloadDigest
    {
    public:
        void addFile(const QByteArray &path, int mode, const QByteArray &contentSha256);
        void addSymlink(const QByteArray &path, const QByteArray &target);
        QString result() const; // hex
        qint64 count() const { return m_count; }

    private:
        QByteArray m_lines;
        qint64 m_count = 0;
    };
};

} // namespace rd
