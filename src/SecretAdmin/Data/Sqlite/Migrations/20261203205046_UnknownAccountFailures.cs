using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace SecretAdmin.Data.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class UnknownAccountFailures : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "UnknownAccountFailures",
                columns: table => new
                {
                    Fingerprint = table.Column<string>(type: "TEXT", maxLength: 80, nullable: false),
                    Failures = table.Column<int>(type: "INTEGER", nullable: false),
                    LockedUntilUtc = table.Column<DateTime>(type: "TEXT", nullable: true),
                    LastFailureAtUtc = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_UnknownAccountFailures", x => x.Fingerprint);
                });

            migrationBuilder.CreateIndex(
                name: "IX_UnknownAccountFailures_LastFailureAtUtc",
                table: "UnknownAccountFailures",
                column: "LastFailureAtUtc");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "UnknownAccountFailures");
        }
    }
}
