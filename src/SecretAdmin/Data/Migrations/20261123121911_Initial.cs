using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace SecretAdmin.Data.Migrations
{
    /// <inheritdoc />
    public partial class Initial : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "OidcSettings",
                columns: table => new
                {
                    Id = table.Column<int>(type: "INTEGER", nullable: false),
                    Enabled = table.Column<bool>(type: "INTEGER", nullable: false),
                    ButtonLabel = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    Authority = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: true),
                    ClientId = table.Column<string>(type: "TEXT", maxLength: 500, nullable: true),
                    ClientSecret = table.Column<string>(type: "TEXT", nullable: true),
                    ClientSecretUpdatedAt = table.Column<DateTimeOffset>(type: "TEXT", nullable: true),
                    ClientSecretUpdatedBy = table.Column<string>(type: "TEXT", maxLength: 256, nullable: true),
                    Scopes = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: false),
                    CallbackPath = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    RoleClaimType = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    AdminRoleValue = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    CreateUnknownUsers = table.Column<bool>(type: "INTEGER", nullable: false),
                    AllowedEmailDomains = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: true),
                    UpdatedAt = table.Column<DateTimeOffset>(type: "TEXT", nullable: true),
                    UpdatedBy = table.Column<string>(type: "TEXT", maxLength: 256, nullable: true),
                    Version = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_OidcSettings", x => x.Id);
                    table.CheckConstraint("CK_OidcSettings_Singleton", "\"Id\" = 1");
                });

            migrationBuilder.CreateTable(
                name: "SmtpSettings",
                columns: table => new
                {
                    Id = table.Column<int>(type: "INTEGER", nullable: false),
                    Host = table.Column<string>(type: "TEXT", maxLength: 253, nullable: true),
                    Port = table.Column<int>(type: "INTEGER", nullable: false),
                    Security = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    Username = table.Column<string>(type: "TEXT", maxLength: 320, nullable: true),
                    Password = table.Column<string>(type: "TEXT", nullable: true),
                    PasswordUpdatedAt = table.Column<DateTimeOffset>(type: "TEXT", nullable: true),
                    PasswordUpdatedBy = table.Column<string>(type: "TEXT", maxLength: 256, nullable: true),
                    FromAddress = table.Column<string>(type: "TEXT", maxLength: 320, nullable: true),
                    FromName = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    TimeoutSeconds = table.Column<int>(type: "INTEGER", nullable: false),
                    UpdatedAt = table.Column<DateTimeOffset>(type: "TEXT", nullable: true),
                    UpdatedBy = table.Column<string>(type: "TEXT", maxLength: 256, nullable: true),
                    Version = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_SmtpSettings", x => x.Id);
                    table.CheckConstraint("CK_SmtpSettings_Singleton", "\"Id\" = 1");
                });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "OidcSettings");

            migrationBuilder.DropTable(
                name: "SmtpSettings");
        }
    }
}
