#include "packagemanifest.h"

#include "common/sha256.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace rd {

namespace {

QStringList fromArray(const QJsonValue &value)
{
    QStringList list;
    for (const QJsonValue &item : value.toArray())
        list.append(item.toString());
    return list;
}

QByteArray sha256Hex(QByteArrayView data)
{
    Sha256 hash;
    hash.addData(data);
    return hash.result().toHex();
}

} // namespace

QString PackageManifest::kindName(Kind kind)
{
    return kind == Kind::Patch ? QStringLiteral("patch") : QStringLiteral("full");
}

QByteArray PackageManifest::toJson() const
{
    QJsonObject object{{QStringLiteral("format"), FormatVersion},
                       {QStringLiteral("kind"), kindName(kind)},
                       {QStringLiteral("project"), project},
                       {QStringLiteral("commit"), commit},
                       {QStringLiteral("ref"), ref},
                       {QStringLiteral("version"), version},
                       {QStringLiteral("commitTime"), commitTime},
                       {QStringLiteral("fileCount"), fileCount},
                       {QStringLiteral("payloadSha256"), payloadSha256},
                       {QStringLiteral("hookSha256"), hookSha256},
                       {QStringLiteral("excludes"), QJsonArray::fromStringList(excludes)}};
    if (kind == Kind::Patch) {
        object.insert(QStringLiteral("baseCommit"), baseCommit);
        object.insert(QStringLiteral("deleted"), QJsonArray::fromStringList(deleted));
    }
    // QJsonObject keeps its keys sorted, so the same manifest always gives the same bytes.
    return QJsonDocument(object).toJson(QJsonDocument::Indented);
}

Result<PackageManifest> PackageManifest::fromJson(const QByteArray &json)
{
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(json, &parseError);
    if (!document.isObject())
        return fail(tr("The package manifest is not valid JSON: %1.").arg(parseError.errorString()),
                    tr("Build the package again."));
    const QJsonObject object = document.object();
    const int format = object.value(QStringLiteral("format")).toInt();
    if (format != FormatVersion)
        return fail(tr("The package manifest has format %1; this version reads format %2.").arg(format).arg(FormatVersion),
                    tr("Build the package again with this version."));
    PackageManifest manifest;
    manifest.kind = object.value(QStringLiteral("kind")).toString() == u"patch" ? Kind::Patch : Kind::Full;
    manifest.project = object.value(QStringLiteral("project")).toString();
    manifest.commit = object.value(QStringLiteral("commit")).toString();
    manifest.ref = object.value(QStringLiteral("ref")).toString();
    manifest.version = object.value(QStringLiteral("version")).toString();
    manifest.commitTime = object.value(QStringLiteral("commitTime")).toInteger();
    manifest.fileCount = object.value(QStringLiteral("fileCount")).toInteger();
    manifest.payloadSha256 = object.value(QStringLiteral("payloadSha256")).toString();
    manifest.hookSha256 = object.value(QStringLiteral("hookSha256")).toString();
    manifest.excludes = fromArray(object.value(QStringLiteral("excludes")));
    manifest.baseCommit = object.value(QStringLiteral("baseCommit")).toString();
    manifest.deleted = fromArray(object.value(QStringLiteral("deleted")));
    return manifest;
}

void PackageManifest::PayloadDigest::addFile(const QByteArray &path, int mode, const QByteArray &contentSha256)
{
    m_lines += "f " + QByteArray::number(mode, 8).rightJustified(4, '0') + ' ' + contentSha256.toHex() + ' ' + path + '\n';
    ++m_count;
}

void PackageManifest::PayloadDigest::addSymlink(const QByteArray &path, const QByteArray &target)
{
    m_lines += "l 0777 " + sha256Hex(target) + ' ' + path + '\n';
    ++m_count;
}

QString PackageManifest::PayloadDigest::result() const
{
    return QString::fromLatin1(sha256Hex(m_lines));
}

} // namespace rd
