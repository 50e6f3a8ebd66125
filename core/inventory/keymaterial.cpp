#include "keymaterial.h"

#include <QCryptographicHash>
#include <QFile>
#include <QProcess>
#include <QScopeGuard>
#include <QTemporaryDir>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <memory>
#include <optional>

#include <unistd.h>

namespace rd {

namespace {

template <auto F> struct Deleter
{
    template <typename T> void operator()(T *p) const { F(p); }
};
using Bio = std::unique_ptr<BIO, Deleter<BIO_free>>;
using PrivateKey = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY_free>>;
using Bignum = std::unique_ptr<BIGNUM, Deleter<BN_free>>;

// Reads the SSH wire encoding (RFC 4251): big-endian uint32 and length-prefixed strings.
class WireReader
{
public:
    explicit WireReader(QByteArrayView data) : m_data(data) {}

    std::optional<quint32> u32()
    {
        if (m_data.size() - m_pos < 4)
            return std::nullopt;
        const auto *p = reinterpret_cast<const unsigned char *>(m_data.data() + m_pos);
        m_pos += 4;
        return quint32(p[0]) << 24 | quint32(p[1]) << 16 | quint32(p[2]) << 8 | quint32(p[3]);
    }

    std::optional<QByteArrayView> string()
    {
        const auto length = u32();
        if (!length || qsizetype(*length) > m_data.size() - m_pos)
            return std::nullopt;
        const QByteArrayView value = m_data.sliced(m_pos, qsizetype(*length));
        m_pos += qsizetype(*length);
        return value;
    }

    bool atEnd() const { return m_pos == m_data.size(); }

private:
    QByteArrayView m_data;
    qsizetype m_pos = 0;
};

void appendString(QByteArray &out, QByteArrayView value)
{
    const auto size = quint32(value.size());
    const char length[4] = {char(size >> 24), char(size >> 16), char(size >> 8), char(size)};
    out.append(length, 4);
    out.append(value);
}

void appendMpint(QByteArray &out, const BIGNUM *number)
{
    QByteArray magnitude(BN_num_bytes(number), Qt::Uninitialized);
    BN_bn2bin(number, reinterpret_cast<unsigned char *>(magnitude.data()));
    // A set high bit would read as negative: mpints carry a leading zero byte then.
    if (!magnitude.isEmpty() && (uchar(magnitude[0]) & 0x80))
        magnitude.prepend('\0');
    appendString(out, magnitude);
}

QString ecdsaCurve(QByteArrayView type)
{
    for (const char *curve : {"nistp256", "nistp384", "nistp521"}) {
        if (type == QByteArray("ecdsa-sha2-") + curve)
            return QString::fromLatin1(curve);
    }
    return {};
}

Error notAPrivateKey()
{
    return Error{KeyMaterial::tr("This is not a private key."),
                 KeyMaterial::tr("Paste the whole private key file, including the \"-----BEGIN ... PRIVATE "
                                 "KEY-----\" and \"-----END ... PRIVATE KEY-----\" lines."),
                 QStringLiteral("privateKey")};
}

Error damaged(const QString &why)
{
    return Error{KeyMaterial::tr("The private key is damaged: %1").arg(why),
                 KeyMaterial::tr("Paste the whole file again, unchanged."), QStringLiteral("privateKey")};
}

Error unsupportedType(const QString &type)
{
    return Error{KeyMaterial::tr("Keys of type %1 are not supported.").arg(type),
                 KeyMaterial::tr("Use an Ed25519, RSA or ECDSA key (ssh-keygen -t ed25519 makes one)."),
                 QStringLiteral("privateKey")};
}

// Checks the structure of a public key blob and returns its type.
Result<QString> publicBlobType(QByteArrayView blob)
{
    WireReader reader(blob);
    const auto type = reader.string();
    if (!type)
        return std::unexpected(damaged(KeyMaterial::tr("its public key cannot be read.")));
    bool wellFormed = false;
    if (*type == "ssh-ed25519") {
        const auto key = reader.string();
        wellFormed = key && key->size() == 32;
    } else if (*type == "ssh-rsa") {
        const auto e = reader.string();
        const auto n = reader.string();
        wellFormed = e && n && !e->isEmpty() && n->size() >= 128;
    } else if (const QString curve = ecdsaCurve(*type); !curve.isEmpty()) {
        const auto curveName = reader.string();
        const auto point = reader.string();
        wellFormed =
            curveName && *curveName == curve.toLatin1() && point && !point->isEmpty() && (*point)[0] == 4;
    } else {
        return std::unexpected(unsupportedType(QString::fromUtf8(*type)));
    }
    if (!wellFormed || !reader.atEnd())
        return std::unexpected(
            damaged(KeyMaterial::tr("its %1 public key is malformed.").arg(QString::fromUtf8(*type))));
    return QString::fromLatin1(*type);
}

KeyMaterial fromBlob(const QString &type, const QByteArray &blob, bool encrypted, const QString &format)
{
    KeyMaterial material;
    material.type = type;
    material.publicKey = type + u' ' + QString::fromLatin1(blob.toBase64());
    material.fingerprint = KeyMaterial::fingerprintOfBlob(blob);
    material.encrypted = encrypted;
    material.format = format;
    return material;
}

// OpenSSH's own format derives the key of an encrypted private part with bcrypt_pbkdf, which
// neither OpenSSL nor libsodium offers; ssh-keygen decrypts it. The file it reads is the encrypted
// text, in a private temporary folder; the passphrase goes to its standard input, and a session of
// its own keeps it from asking on a terminal (and no display from asking in a window).
Result<> checkOpenSshPassphrase(const QByteArray &text, const QByteArray &passphrase, QByteArrayView publicBlob)
{
    QTemporaryDir folder;
    const QString path = folder.filePath(QStringLiteral("key"));
    QFile file(path);
    if (!folder.isValid() || !file.open(QIODevice::WriteOnly) ||
        !file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner) || file.write(text) != text.size() ||
        !file.flush())
        return fail(KeyMaterial::tr("The key could not be written to a temporary file to check its passphrase."),
                    KeyMaterial::tr("Check the free space of the temporary folder."));
    file.close();
    QProcess keygen;
    // On a desktop ssh-keygen would ask an askpass program instead of reading stdin (DISPLAY is set
    // and stdin is no terminal): the passphrase must come from stdin only.
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    for (const char *name : {"DISPLAY", "WAYLAND_DISPLAY", "SSH_ASKPASS"})
        environment.remove(QString::fromLatin1(name));
    environment.insert(QStringLiteral("SSH_ASKPASS_REQUIRE"), QStringLiteral("never"));
    keygen.setProcessEnvironment(environment);
    keygen.setChildProcessModifier([] { ::setsid(); });
    keygen.start(QStringLiteral("ssh-keygen"), {QStringLiteral("-y"), QStringLiteral("-f"), path});
    if (!keygen.waitForStarted())
        return fail(KeyMaterial::tr("ssh-keygen, which checks the passphrase of an OpenSSH private key, could not "
                                    "start."),
                    KeyMaterial::tr("Install OpenSSH's client (Debian: openssh-client)."), QStringLiteral("passphrase"));
    keygen.write(passphrase);
    keygen.write("\n");
    keygen.closeWriteChannel();
    if (!keygen.waitForFinished(30000)) {
        keygen.kill();
        keygen.waitForFinished();
        return fail(KeyMaterial::tr("ssh-keygen did not finish checking the passphrase."), KeyMaterial::tr("Try again."));
    }
    const QByteArray errors = keygen.readAllStandardError();
    if (keygen.exitStatus() != QProcess::NormalExit || keygen.exitCode() != 0) {
        if (errors.contains("incorrect passphrase"))
            return fail(KeyMaterial::tr("The passphrase of this private key is wrong."),
                        KeyMaterial::tr("Type the passphrase again."), QStringLiteral("passphrase"));
        return std::unexpected(damaged(QString::fromUtf8(errors.trimmed())));
    }
    const QList<QByteArray> fields = keygen.readAllStandardOutput().trimmed().split(' ');
    if (fields.size() < 2 || QByteArray::fromBase64(fields[1]) != publicBlob)
        return std::unexpected(damaged(KeyMaterial::tr("its private part does not match its public key.")));
    return {};
}

Result<KeyMaterial> inspectOpenSsh(const QByteArray &text, const QByteArray &passphrase)
{
    static const QByteArray Begin = QByteArrayLiteral("-----BEGIN OPENSSH PRIVATE KEY-----");
    static const QByteArray End = QByteArrayLiteral("-----END OPENSSH PRIVATE KEY-----");
    const qsizetype begin = text.indexOf(Begin) + Begin.size();
    const qsizetype end = text.indexOf(End, begin);
    if (end < 0)
        return std::unexpected(damaged(KeyMaterial::tr("its END line is missing.")));
    QByteArray body;
    body.reserve(end - begin);
    for (char c : QByteArrayView(text).sliced(begin, end - begin)) {
        if (c != ' ' && c != '\t' && c != '\r' && c != '\n')
            body.append(c);
    }
    auto decoded = QByteArray::fromBase64Encoding(body, QByteArray::AbortOnBase64DecodingErrors);
    // These copies hold the private key: wipe them rather than leave them in freed memory.
    const auto wipe = qScopeGuard([&body, &decoded] {
        OPENSSL_cleanse(body.data(), std::size_t(body.size()));
        OPENSSL_cleanse(decoded.decoded.data(), std::size_t(decoded.decoded.size()));
    });
    if (!decoded)
        return std::unexpected(damaged(KeyMaterial::tr("its base64 text does not decode.")));

    static const QByteArrayView Magic("openssh-key-v1\0", 15);
    const QByteArray &data = *decoded;
    if (!data.startsWith(Magic))
        return std::unexpected(damaged(KeyMaterial::tr("it does not start with the OpenSSH key header.")));
    WireReader reader(QByteArrayView(data).sliced(Magic.size()));
    const auto cipher = reader.string();
    const auto kdf = reader.string();
    const auto kdfOptions = reader.string();
    const auto count = reader.u32();
    const auto publicBlob = reader.string();
    if (!cipher || !kdf || !kdfOptions || !count || *count != 1 || !publicBlob)
        return std::unexpected(damaged(KeyMaterial::tr("its header cannot be read.")));
    auto type = publicBlobType(*publicBlob);
    if (!type)
        return std::unexpected(type.error());

    const bool encrypted = *cipher != "none";
    const auto privateSection = reader.string();
    if (!privateSection)
        return std::unexpected(damaged(KeyMaterial::tr("its private part is missing.")));
    if (!encrypted) {
        // Two equal check words open the private part; they differ only in a damaged file.
        WireReader inner(*privateSection);
        const auto check1 = inner.u32();
        const auto check2 = inner.u32();
        const auto innerType = inner.string();
        if (!check1 || !check2 || *check1 != *check2 || !innerType || *innerType != type->toLatin1())
            return std::unexpected(
                damaged(KeyMaterial::tr("its private part does not match its public key.")));
    } else if (!passphrase.isEmpty()) {
        // The file sets the cost of the check: ssh-keygen's default is 16 rounds (about 0.15 s here);
        // a crafted count would keep the check busy for hours.
        constexpr quint32 MaxRounds = 1000;
        WireReader options(*kdfOptions);
        const auto salt = options.string();
        const auto rounds = options.u32();
        if (*kdf != "bcrypt" || !salt || !rounds)
            return std::unexpected(damaged(KeyMaterial::tr("its key derivation \"%1\" cannot be read.")
                                               .arg(QString::fromLatin1(kdf->toByteArray()))));
        if (*rounds > MaxRounds)
            return fail(KeyMaterial::tr("This key's passphrase is stretched with %1 bcrypt rounds; ReleaseDesk checks "
                                        "up to %2.")
                            .arg(*rounds)
                            .arg(MaxRounds),
                        KeyMaterial::tr("Set the passphrase again with fewer rounds: ssh-keygen -p -a 100 -f KEY."),
                        QStringLiteral("privateKey"));
        if (auto checked = checkOpenSshPassphrase(text, passphrase, *publicBlob); !checked)
            return std::unexpected(checked.error());
    }
    return fromBlob(*type, publicBlob->toByteArray(), encrypted, QStringLiteral("openssh"));
}

QString takeOpenSslError()
{
    const unsigned long code = ERR_peek_last_error();
    ERR_clear_error();
    if (!code)
        return KeyMaterial::tr("unknown error");
    const char *reason = ERR_reason_error_string(code);
    return reason ? QString::fromUtf8(reason) : QString::number(code, 16);
}

int passphraseCallback(char *buffer, int size, int, void *user)
{
    const auto *passphrase = static_cast<const QByteArray *>(user);
    // No passphrase: fail at once instead of letting OpenSSL ask on the terminal.
    if (passphrase->isEmpty() || passphrase->size() > size)
        return -1;
    std::copy(passphrase->cbegin(), passphrase->cend(), buffer);
    return int(passphrase->size());
}

Result<QByteArray> bignumBlob(QByteArray &blob, EVP_PKEY *key, const char *name)
{
    BIGNUM *raw = nullptr;
    if (!EVP_PKEY_get_bn_param(key, name, &raw))
        return std::unexpected(damaged(takeOpenSslError()));
    Bignum number(raw);
    appendMpint(blob, number.get());
    return blob;
}

Result<KeyMaterial> fromOpenSslKey(EVP_PKEY *key, bool encrypted, const QString &format)
{
    QByteArray blob;
    QString type;
    switch (EVP_PKEY_get_base_id(key)) {
    case EVP_PKEY_RSA: {
        type = QStringLiteral("ssh-rsa");
        appendString(blob, "ssh-rsa");
        if (auto e = bignumBlob(blob, key, OSSL_PKEY_PARAM_RSA_E); !e)
            return std::unexpected(e.error());
        if (auto n = bignumBlob(blob, key, OSSL_PKEY_PARAM_RSA_N); !n)
            return std::unexpected(n.error());
        break;
    }
    case EVP_PKEY_EC: {
        char group[64] = {};
        std::size_t groupLength = 0;
        if (!EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group,
                                            &groupLength))
            return std::unexpected(damaged(takeOpenSslError()));
        const QByteArray groupName(group, qsizetype(groupLength));
        QByteArray curve;
        if (groupName == "prime256v1" || groupName == "P-256")
            curve = "nistp256";
        else if (groupName == "secp384r1" || groupName == "P-384")
            curve = "nistp384";
        else if (groupName == "secp521r1" || groupName == "P-521")
            curve = "nistp521";
        else
            return std::unexpected(
                unsupportedType(KeyMaterial::tr("ECDSA on curve %1").arg(QString::fromLatin1(groupName))));
        // SSH wants the point uncompressed, whatever form the file used.
        EVP_PKEY_set_utf8_string_param(key, OSSL_PKEY_PARAM_EC_POINT_CONVERSION_FORMAT,
                                       OSSL_PKEY_EC_POINT_CONVERSION_FORMAT_UNCOMPRESSED);
        std::size_t pointLength = 0;
        if (!EVP_PKEY_get_octet_string_param(key, OSSL_PKEY_PARAM_PUB_KEY, nullptr, 0, &pointLength))
            return std::unexpected(damaged(takeOpenSslError()));
        QByteArray point(qsizetype(pointLength), Qt::Uninitialized);
        if (!EVP_PKEY_get_octet_string_param(key, OSSL_PKEY_PARAM_PUB_KEY,
                                             reinterpret_cast<unsigned char *>(point.data()), pointLength,
                                             &pointLength))
            return std::unexpected(damaged(takeOpenSslError()));
        point.truncate(qsizetype(pointLength));
        const QByteArray typeName = "ecdsa-sha2-" + curve;
        type = QString::fromLatin1(typeName);
        appendString(blob, typeName);
        appendString(blob, curve);
        appendString(blob, point);
        break;
    }
    case EVP_PKEY_ED25519: {
        unsigned char raw[32];
        std::size_t length = sizeof raw;
        if (!EVP_PKEY_get_raw_public_key(key, raw, &length) || length != sizeof raw)
            return std::unexpected(damaged(takeOpenSslError()));
        type = QStringLiteral("ssh-ed25519");
        appendString(blob, "ssh-ed25519");
        appendString(blob, QByteArrayView(raw, qsizetype(length)));
        break;
    }
    default:
        return std::unexpected(unsupportedType(QString::fromUtf8(EVP_PKEY_get0_type_name(key))));
    }
    // Our own encoding must be what OpenSSH would read back.
    if (auto checked = publicBlobType(blob); !checked)
        return std::unexpected(checked.error());
    return fromBlob(type, blob, encrypted, format);
}

Result<KeyMaterial> inspectPem(const QByteArray &text, const QByteArray &label, const QByteArray &passphrase)
{
    const QString format = label == "PRIVATE KEY" || label == "ENCRYPTED PRIVATE KEY"
                               ? QStringLiteral("pkcs8")
                               : QStringLiteral("pem");
    const bool encrypted = label == "ENCRYPTED PRIVATE KEY" || text.contains("Proc-Type: 4,ENCRYPTED");
    if (encrypted && passphrase.isEmpty())
        return fail(KeyMaterial::tr("This private key is protected by a passphrase."),
                    KeyMaterial::tr("Type the key's passphrase as well."), QStringLiteral("passphrase"));

    ERR_clear_error();
    Bio bio(BIO_new_mem_buf(text.constData(), int(text.size())));
    if (!bio)
        return fail(KeyMaterial::tr("Out of memory while reading the private key."));
    PrivateKey key(PEM_read_bio_PrivateKey(bio.get(), nullptr, passphraseCallback,
                                           const_cast<QByteArray *>(&passphrase)));
    if (!key) {
        const QString reason = takeOpenSslError();
        if (encrypted)
            return fail(KeyMaterial::tr("The passphrase of this private key is wrong."),
                        KeyMaterial::tr("Type the passphrase again."), QStringLiteral("passphrase"));
        return std::unexpected(damaged(reason));
    }
    return fromOpenSslKey(key.get(), encrypted, format);
}

} // namespace

QString KeyMaterial::fingerprintOfBlob(const QByteArray &blob)
{
    return QStringLiteral("SHA256:") +
           QString::fromLatin1(QCryptographicHash::hash(blob, QCryptographicHash::Sha256)
                                   .toBase64(QByteArray::OmitTrailingEquals));
}

Result<KeyMaterial> KeyMaterial::inspect(QByteArrayView privateKeyView, QByteArrayView passphraseView)
{
    // Read in place: these may be a SecretBytes' memory, and a copy would outlive its wiping.
    const QByteArray privateKeyText = QByteArray::fromRawData(privateKeyView.data(), privateKeyView.size());
    const QByteArray passphrase = QByteArray::fromRawData(passphraseView.data(), passphraseView.size());
    static const QByteArray BeginMark = QByteArrayLiteral("-----BEGIN ");
    static const QByteArray LineEnd = QByteArrayLiteral("-----");
    const qsizetype begin = privateKeyText.indexOf(BeginMark);
    const qsizetype labelEnd = begin < 0 ? -1 : privateKeyText.indexOf(LineEnd, begin + BeginMark.size());
    if (labelEnd < 0) {
        const QByteArray trimmed = privateKeyText.trimmed();
        if (trimmed.startsWith("PuTTY-User-Key-File"))
            return fail(
                tr("PuTTY keys (.ppk) cannot be read."),
                tr("Convert it first: puttygen key.ppk -O private-openssh -o key, then paste that file."),
                QStringLiteral("privateKey"));
        if (!trimmed.contains('\n') && fingerprintOfPublicKey(QString::fromLatin1(trimmed)))
            return fail(tr("This is a public key, not a private key."),
                        tr("Paste the private key file (for example id_ed25519, not id_ed25519.pub)."),
                        QStringLiteral("privateKey"));
        return std::unexpected(notAPrivateKey());
    }
    const QByteArray label =
        privateKeyText.mid(begin + BeginMark.size(), labelEnd - begin - BeginMark.size());
    if (label == "OPENSSH PRIVATE KEY")
        return inspectOpenSsh(privateKeyText, passphrase);
    if (label == "RSA PRIVATE KEY" || label == "EC PRIVATE KEY" || label == "PRIVATE KEY" ||
        label == "ENCRYPTED PRIVATE KEY")
        return inspectPem(privateKeyText, label, passphrase);
    if (label == "DSA PRIVATE KEY")
        return std::unexpected(unsupportedType(QStringLiteral("ssh-dss")));
    return std::unexpected(notAPrivateKey());
}

Result<QString> KeyMaterial::fingerprintOfPublicKey(const QString &openSshLine)
{
    const auto notAPublicKey = [] {
        return fail(tr("This is not an OpenSSH public key."),
                    tr("Paste one line as in a .pub file, such as \"ssh-ed25519 AAAA... me@host\"."),
                    QStringLiteral("publicKey"));
    };
    const QStringList fields = openSshLine.simplified().split(u' ');
    if (fields.size() < 2)
        return notAPublicKey();
    const auto blob =
        QByteArray::fromBase64Encoding(fields[1].toLatin1(), QByteArray::AbortOnBase64DecodingErrors);
    if (!blob)
        return notAPublicKey();
    auto type = publicBlobType(*blob);
    if (!type || *type != fields[0])
        return notAPublicKey();
    return fingerprintOfBlob(*blob);
}

std::optional<KeyMaterial> KeyMaterial::identifyKeyFile(const QString &privateKeyPath)
{
    QFile publicFile(privateKeyPath + QStringLiteral(".pub"));
    if (publicFile.open(QIODevice::ReadOnly)) {
        const QString line = QString::fromUtf8(publicFile.readLine(16384)).trimmed();
        if (auto fingerprint = fingerprintOfPublicKey(line)) {
            KeyMaterial material;
            material.type = line.section(u' ', 0, 0);
            material.publicKey = line;
            material.fingerprint = *fingerprint;
            return material;
        }
    }
    QFile privateFile(privateKeyPath);
    if (!privateFile.open(QIODevice::ReadOnly) || privateFile.size() > 64 * 1024)
        return std::nullopt;
    QByteArray text = privateFile.readAll();
    auto material = inspect(text);
    OPENSSL_cleanse(text.data(), size_t(text.size()));
    if (!material)
        return std::nullopt;
    return *material;
}

} // namespace rd
