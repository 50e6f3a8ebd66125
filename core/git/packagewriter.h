#pragma once

#include "common/error.h"
#include "common/sha256.h"
#include "packagemanifest.h"

#include <QByteArray>
#include <QCoreApplication>
#include <QString>

#include <memory>

struct archive;

namespace rd {

// Writes one package: a gzip-compressed tar (pax) with fixed owner 0/0, no user or group names,
// one mtime for every entry and no timestamp in the gzip header, so the same entries in the same
// order give the same bytes. Callers add entries sorted by path; the manifest goes last.
class PackageWriter
{
    Q_DECLARE_TR_FUNCTIONS(PackageWriter)

public:
    struct Options
    {
        qint64 mtime = 0;
        // gzip level: 1 compresses about as well as 6 on source trees and several times faster.
        int compressionLevel = 1;
    };

    struct Summary
    {
        PackageManifest manifest; // with fileCount and payloadSha256 filled in
        QString sha256;           // of the whole .tar.gz, as uploads check it
        qint64 size = 0;
    };

    PackageWriter();
    ~PackageWriter();
    PackageWriter(const PackageWriter &) = delete;
    PackageWriter &operator=(const PackageWriter &) = delete;

    // Writes to `fd`, which stays the caller's to close. `where` names it in errors.
    Result<> open(int fd, const QString &where, const Options &options);

    // Paths are relative, '/'-separated UTF-8.
    Result<> addDirectory(const QByteArray &path);
    Result<> addFile(const QByteArray &path, bool executable, QByteArrayView content);
    // Streams a file from disk; `size` is what lstat() said.
    Result<> addFileFrom(const QByteArray &path, bool executable, const QString &localFile, qint64 size);
    Result<> addSymlink(const QByteArray &path, const QByteArray &target);

    // Appends the manifest (with the counts and payload digest filled in) and closes the archive.
    Result<Summary> finish(PackageManifest manifest);

private:
    struct Free
    {
        void operator()(archive *handle) const;
    };
    struct Sink;

    Result<> header(const QByteArray &path, unsigned int type, int mode, qint64 size, const QByteArray &link = {});
    Result<> data(QByteArrayView bytes);
    Error archiveError(const QString &what) const;

    std::unique_ptr<Sink> m_sink;
    std::unique_ptr<archive, Free> m_archive;
    Options m_options;
    PackageManifest::PayloadDigest m_digest;
};

} // namespace rd
