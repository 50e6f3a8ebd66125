#include "release/versionid.h"

#include <QTest>

using namespace rd;

class TestVersionId : public QObject
{
    Q_OBJECT

private slots:
    void formatsAsTheSeedDoes();
    void parsesOnlyItsOwnShape_data();
    void parsesOnlyItsOwnShape();
    void nextNumberCountsPerProject();
};

void TestVersionId::formatsAsTheSeedDoes()
{
    const QDateTime when(QDate(2020, 2, 21), QTime(10, 58, 3, 999), Qt::UTC);
    QCOMPARE(VersionId::make(QStringLiteral("luffycity"), 1, when).toString(),
             QStringLiteral("luffycity-v1-20200221105803"));
    // Local times are written in UTC, so ids from different workstations sort together.
    const QDateTime beijing(QDate(2020, 2, 21), QTime(18, 58, 3), Qt::OffsetFromUTC, 8 * 3600);
    QCOMPARE(VersionId::make(QStringLiteral("shop-api"), 12, beijing).toString(),
             QStringLiteral("shop-api-v12-20200221105803"));
}

void TestVersionId::parsesOnlyItsOwnShape_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("project");
    QTest::addColumn<int>("number");
    QTest::newRow("seed") << QStringLiteral("luffycity-v1-20200221105803") << QStringLiteral("luffycity") << 1;
    QTest::newRow("dashed project") << QStringLiteral("shop-api-v42-20261123101500") << QStringLiteral("shop-api") << 42;
    QTest::newRow("v0") << QStringLiteral("shop-v0-20261123101500") << QString() << 0;
    QTest::newRow("no number") << QStringLiteral("shop-v-20261123101500") << QString() << 0;
    QTest::newRow("short time") << QStringLiteral("shop-v1-202611231015") << QString() << 0;
    QTest::newRow("bad date") << QStringLiteral("shop-v1-20261399101500") << QString() << 0;
    QTest::newRow("shell") << QStringLiteral("$(id)-v1-20261123101500") << QString() << 0;
    QTest::newRow("trailing") << QStringLiteral("shop-v1-20261123101500.tar.gz") << QString() << 0;
    // Found by fuzzing: the id after v999999999 has ten digits, and must still parse.
    QTest::newRow("ten digits") << QStringLiteral("shop-v1000000000-20261123101500") << QStringLiteral("shop")
                                << 1000000000;
    QTest::newRow("beyond int") << QStringLiteral("shop-v2147483648-20261123101500") << QString() << 0;
}

void TestVersionId::parsesOnlyItsOwnShape()
{
    QFETCH(QString, text);
    QFETCH(QString, project);
    QFETCH(int, number);
    const auto id = VersionId::parse(text);
    QCOMPARE(id.has_value(), !project.isEmpty());
    if (id) {
        QCOMPARE(id->project, project);
        QCOMPARE(id->number, number);
        QCOMPARE(id->toString(), text);
    }
}

void TestVersionId::nextNumberCountsPerProject()
{
    const QStringList used{QStringLiteral("shop-v3-20261123101500"), QStringLiteral("shop-v11-20261123111500"),
                           QStringLiteral("shop-api-v40-20261123121500"), QStringLiteral("not-a-version")};
    QCOMPARE(VersionId::nextNumber(used, QStringLiteral("shop")), 12);
    QCOMPARE(VersionId::nextNumber(used, QStringLiteral("shop-api")), 41);
    QCOMPARE(VersionId::nextNumber({}, QStringLiteral("shop")), 1);
    QCOMPARE(VersionId::nextNumber({QStringLiteral("shop-v999999999-20261123101500")}, QStringLiteral("shop")),
             1000000000);
    QCOMPARE(VersionId::nextNumber({QStringLiteral("shop-v2147483647-20261123101500")}, QStringLiteral("shop")),
             2147483647);
}

QTEST_GUILESS_MAIN(TestVersionId)
#include "tst_versionid.moc"
